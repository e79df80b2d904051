// File mode bits as the VFS names them: the Linux st_mode values of
// uapi/stat.h.
#pragma once

#include <lib/types.h>
#include <uapi/stat.h>

namespace vfs {

inline constexpr u32 kModeTypeMask = uapi::S_IFMT;
inline constexpr u32 kModeSocket = uapi::S_IFSOCK;
inline constexpr u32 kModeSymlink = uapi::S_IFLNK;
inline constexpr u32 kModeRegular = uapi::S_IFREG;
inline constexpr u32 kModeBlock = uapi::S_IFBLK;
inline constexpr u32 kModeDirectory = uapi::S_IFDIR;
inline constexpr u32 kModeCharacter = uapi::S_IFCHR;
inline constexpr u32 kModeFifo = uapi::S_IFIFO;
inline constexpr u32 kModeSetUid = uapi::S_ISUID;
inline constexpr u32 kModeSetGid = uapi::S_ISGID;
inline constexpr u32 kModeSticky = uapi::S_ISVTX;
inline constexpr u32 kModePermissions = 07777;

inline bool is_directory(u32 mode) { return (mode & kModeTypeMask) == kModeDirectory; }
inline bool is_regular(u32 mode) { return (mode & kModeTypeMask) == kModeRegular; }
inline bool is_symlink(u32 mode) { return (mode & kModeTypeMask) == kModeSymlink; }
inline bool is_character_device(u32 mode) { return (mode & kModeTypeMask) == kModeCharacter; }
inline bool is_block_device(u32 mode) { return (mode & kModeTypeMask) == kModeBlock; }
inline bool is_fifo(u32 mode) { return (mode & kModeTypeMask) == kModeFifo; }

// d_type for getdents64 (DT_*).
inline u8 dirent_type(u32 mode) { return u8((mode & kModeTypeMask) >> 12); }

inline u64 make_device(u32 major, u32 minor) {
    return (u64(major & 0xfffff000) << 32) | (u64(major & 0xfff) << 8) | (u64(minor & 0xffffff00) << 12) | (minor & 0xff);
}
inline u32 device_major(u64 device) { return u32((device >> 8) & 0xfff) | u32((device >> 32) & ~0xfffull); }
inline u32 device_minor(u64 device) { return u32(device & 0xff) | u32((device >> 12) & ~0xffull); }

} // namespace vfs
