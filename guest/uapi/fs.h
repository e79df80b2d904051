// Block-device ioctls (linux/fs.h). Encoded (direction, size, 0x12, number)
// as by _IO/_IOR; the size of BLKGETSIZE64 and BLKBSZGET is sizeof(size_t)
// for historical reasons, whatever they return.
#pragma once

#include <uapi/types.h>

#if defined(BLKGETSIZE64) || defined(BLKSSZGET)
#error "<uapi/fs.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr u32 BLKROGET = 0x125e;         // _IO(0x12, 94): int, 1 if read-only
inline constexpr u32 BLKGETSIZE = 0x1260;       // _IO(0x12, 96): unsigned long, size in 512-byte sectors
inline constexpr u32 BLKFLSBUF = 0x1261;        // _IO(0x12, 97): write back and drop cached blocks
inline constexpr u32 BLKSSZGET = 0x1268;        // _IO(0x12, 104): int, logical sector size
inline constexpr u32 BLKBSZGET = 0x80081270;    // _IOR(0x12, 112, size_t): int, the soft block size
inline constexpr u32 BLKGETSIZE64 = 0x80081272; // _IOR(0x12, 114, size_t): u64, size in bytes
inline constexpr u32 BLKPBSZGET = 0x127b;       // _IO(0x12, 123): unsigned int, physical sector size

} // namespace uapi
