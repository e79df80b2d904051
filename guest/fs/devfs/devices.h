// Devices by number, for device nodes on any file system. Character
// devices: mem devices (1,3 null; 1,5 zero; 1,7 full; 1,8 random; 1,9
// urandom) and the console (5,0 tty; 5,1 console; 4,64 ttyS0). Block
// devices: the disks drivers registered (254,0 vda; 254,16 vdb ...). As on
// Linux the two kinds number separately, and a number without a device is
// ENXIO.
#pragma once

#include <fs/vfs/file.h>

namespace devices {

Result<RefPtr<File>> open(u64 rdev, u32 flags);
Result<RefPtr<File>> open_block(u64 rdev, u32 flags);

// Creates /dev with the standard nodes (a tmpfs mounted at /dev) and one
// for each disk found at boot.
Result<void> populate_dev();

} // namespace devices
