// Linux file mode bits (the st_mode ABI values; they never change).
#pragma once

#include <lib/types.h>

namespace vfs {

inline constexpr u32 kModeTypeMask = 0170000;
inline constexpr u32 kModeSocket = 0140000;
inline constexpr u32 kModeSymlink = 0120000;
inline constexpr u32 kModeRegular = 0100000;
inline constexpr u32 kModeBlock = 0060000;
inline constexpr u32 kModeDirectory = 0040000;
inline constexpr u32 kModeCharacter = 0020000;
inline constexpr u32 kModeFifo = 0010000;
inline constexpr u32 kModeSetUid = 04000;
inline constexpr u32 kModeSetGid = 02000;
inline constexpr u32 kModeSticky = 01000;
inline constexpr u32 kModePermissions = 07777;

inline bool is_directory(u32 mode) { return (mode & kModeTypeMask) == kModeDirectory; }
inline bool is_regular(u32 mode) { return (mode & kModeTypeMask) == kModeRegular; }
inline bool is_symlink(u32 mode) { return (mode & kModeTypeMask) == kModeSymlink; }
inline bool is_character_device(u32 mode) { return (mode & kModeTypeMask) == kModeCharacter; }
inline bool is_fifo(u32 mode) { return (mode & kModeTypeMask) == kModeFifo; }

// d_type for getdents64 (DT_*).
inline u8 dirent_type(u32 mode) { return u8((mode & kModeTypeMask) >> 12); }

inline u64 make_device(u32 major, u32 minor) {
    return (u64(major & 0xfffff000) << 32) | (u64(major & 0xfff) << 8) | (u64(minor & 0xffffff00) << 12) | (minor & 0xff);
}

} // namespace vfs
