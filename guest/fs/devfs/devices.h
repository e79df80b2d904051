// Character devices by number, for device nodes on any file system:
// mem devices (1,3 null; 1,5 zero; 1,7 full; 1,8 random; 1,9 urandom) and
// the console (5,0 tty; 5,1 console; 4,64 ttyS0).
#pragma once

#include <fs/vfs/file.h>

namespace devices {

Result<RefPtr<File>> open(u64 rdev, u32 flags);

// Creates /dev with the standard nodes (a tmpfs mounted at /dev).
Result<void> populate_dev();

} // namespace devices
