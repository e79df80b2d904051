// Unpacks the initramfs (cpio newc) into the root file system, keeping
// mode, owner, mtime, symlinks and device nodes.
#pragma once

#include <lib/result.h>
#include <lib/types.h>

namespace initramfs {

// Returns the number of entries unpacked.
Result<usize> unpack(u8 const* archive, usize size);

} // namespace initramfs
