// BlockDeviceFile: an open block device node (/dev/vda), Linux semantics
// without a page cache: every read and write goes to the disk at once
// through a bounce buffer, which is also what makes byte offsets work --
// a partial sector is read, patched and written back.
//
// Where we differ from Linux: opening a read-only disk for writing is
// EROFS (what Linux's SCSI disks say; Linux's virtio_blk opens it and
// fails the write with EPERM). With no page cache, there is nothing to
// write back on close, and fsync is the disk's cache flush alone.
#pragma once

#include <fs/vfs/file.h>
#include <kernel/drivers/block_device.h>

namespace devices {

Result<RefPtr<File>> open_block_device(BlockDevice& device, u32 flags);

} // namespace devices
