// getdents64(2) records: struct linux_dirent64 (include/linux/dirent.h in
// the kernel; the same layout as glibc's struct dirent64) and the d_type
// values (DT_*).
#pragma once

#include <uapi/types.h>

#if defined(DT_UNKNOWN) || defined(DT_DIR)
#error "<uapi/dirent.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// A record is this header, the name and its NUL, padded to 8 bytes:
// d_reclen = linux_dirent64_reclen(name_length). The name (the kernel's
// char d_name[]) starts at byte 19, right after d_type: not at
// sizeof(linux_dirent64), which alignment rounds up to 24.
struct linux_dirent64 {
    u64 d_ino;
    i64 d_off; // the position to seek to for the next record
    u16 d_reclen;
    u8 d_type;
};
static_assert(sizeof(linux_dirent64) == 24);

inline constexpr usize kLinuxDirent64NameOffset = offsetof(linux_dirent64, d_type) + 1;
static_assert(kLinuxDirent64NameOffset == 19);

constexpr usize linux_dirent64_reclen(usize name_length) {
    return (kLinuxDirent64NameOffset + name_length + 1 + 7) & ~usize(7);
}

// d_type: the file type, which is the S_IFMT bits of st_mode shifted down.
inline constexpr u8 DT_UNKNOWN = 0;
inline constexpr u8 DT_FIFO = 1;
inline constexpr u8 DT_CHR = 2;
inline constexpr u8 DT_DIR = 4;
inline constexpr u8 DT_BLK = 6;
inline constexpr u8 DT_REG = 8;
inline constexpr u8 DT_LNK = 10;
inline constexpr u8 DT_SOCK = 12;
inline constexpr u8 DT_WHT = 14;

constexpr u8 IFTODT(u32 mode) { return u8((mode & 0170000) >> 12); }
constexpr u32 DTTOIF(u8 type) { return u32(type) << 12; }

} // namespace uapi
