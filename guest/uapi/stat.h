// File status: struct stat (the x86-64 kernel layout of asm/stat.h), struct
// statx (linux/stat.h), the st_mode bits and the utimensat(2) specials.
#pragma once

#include <uapi/time.h>
#include <uapi/types.h>

#if defined(S_IFMT) || defined(S_IRUSR) || defined(STATX_BASIC_STATS) || defined(UTIME_NOW)
#error "<uapi/stat.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// st_mode: the file type (S_IFMT) and the permission bits.
inline constexpr mode_t S_IFMT = 0170000;
inline constexpr mode_t S_IFSOCK = 0140000;
inline constexpr mode_t S_IFLNK = 0120000;
inline constexpr mode_t S_IFREG = 0100000;
inline constexpr mode_t S_IFBLK = 0060000;
inline constexpr mode_t S_IFDIR = 0040000;
inline constexpr mode_t S_IFCHR = 0020000;
inline constexpr mode_t S_IFIFO = 0010000;
inline constexpr mode_t S_ISUID = 04000;
inline constexpr mode_t S_ISGID = 02000;
inline constexpr mode_t S_ISVTX = 01000;
inline constexpr mode_t S_IRWXU = 00700;
inline constexpr mode_t S_IRUSR = 00400;
inline constexpr mode_t S_IWUSR = 00200;
inline constexpr mode_t S_IXUSR = 00100;
inline constexpr mode_t S_IRWXG = 00070;
inline constexpr mode_t S_IRGRP = 00040;
inline constexpr mode_t S_IWGRP = 00020;
inline constexpr mode_t S_IXGRP = 00010;
inline constexpr mode_t S_IRWXO = 00007;
inline constexpr mode_t S_IROTH = 00004;
inline constexpr mode_t S_IWOTH = 00002;
inline constexpr mode_t S_IXOTH = 00001;
// Every bit chmod(2) can set (the kernel's S_IALLUGO).
inline constexpr mode_t S_IALLUGO = S_ISUID | S_ISGID | S_ISVTX | S_IRWXU | S_IRWXG | S_IRWXO;

constexpr bool S_ISREG(mode_t mode) { return (mode & S_IFMT) == S_IFREG; }
constexpr bool S_ISDIR(mode_t mode) { return (mode & S_IFMT) == S_IFDIR; }
constexpr bool S_ISLNK(mode_t mode) { return (mode & S_IFMT) == S_IFLNK; }
constexpr bool S_ISCHR(mode_t mode) { return (mode & S_IFMT) == S_IFCHR; }
constexpr bool S_ISBLK(mode_t mode) { return (mode & S_IFMT) == S_IFBLK; }
constexpr bool S_ISFIFO(mode_t mode) { return (mode & S_IFMT) == S_IFIFO; }
constexpr bool S_ISSOCK(mode_t mode) { return (mode & S_IFMT) == S_IFSOCK; }

// stat(2), fstat(2), lstat(2), newfstatat(2). The kernel's x86-64 struct
// names the times st_atime + st_atime_nsec; two longs each, which is exactly
// a timespec, so they are spelled as glibc and musl spell them.
struct stat {
    dev_t st_dev;
    ino_t st_ino;
    nlink_t st_nlink; // before st_mode on x86-64, unlike most architectures
    mode_t st_mode;
    uid_t st_uid;
    gid_t st_gid;
    u32 _pad0;
    dev_t st_rdev;
    off_t st_size;
    blksize_t st_blksize;
    blkcnt_t st_blocks; // in 512-byte units
    timespec st_atim;
    timespec st_mtim;
    timespec st_ctim;
    i64 _unused[3];
};
static_assert(sizeof(stat) == 144);

// utimensat(2): a tv_nsec that means "now" or "leave unchanged".
inline constexpr i64 UTIME_NOW = (1l << 30) - 1l;
inline constexpr i64 UTIME_OMIT = (1l << 30) - 2l;

// statx(2).
struct statx_timestamp {
    i64 tv_sec;
    u32 tv_nsec;
    i32 _reserved;
};
static_assert(sizeof(statx_timestamp) == 16);

struct statx {
    u32 stx_mask; // STATX_* bits that were filled in
    u32 stx_blksize;
    u64 stx_attributes;
    u32 stx_nlink;
    u32 stx_uid;
    u32 stx_gid;
    u16 stx_mode;
    u16 _spare0;
    u64 stx_ino;
    u64 stx_size;
    u64 stx_blocks;
    u64 stx_attributes_mask;
    statx_timestamp stx_atime;
    statx_timestamp stx_btime;
    statx_timestamp stx_ctime;
    statx_timestamp stx_mtime;
    u32 stx_rdev_major;
    u32 stx_rdev_minor;
    u32 stx_dev_major;
    u32 stx_dev_minor;
    u64 stx_mnt_id;
    u32 stx_dio_mem_align;
    u32 stx_dio_offset_align;
    u64 _spare3[12];
};
static_assert(sizeof(statx) == 256);

// statx(2) mask: what the caller asks for, and what stx_mask reports.
inline constexpr u32 STATX_TYPE = 0x00000001u;
inline constexpr u32 STATX_MODE = 0x00000002u;
inline constexpr u32 STATX_NLINK = 0x00000004u;
inline constexpr u32 STATX_UID = 0x00000008u;
inline constexpr u32 STATX_GID = 0x00000010u;
inline constexpr u32 STATX_ATIME = 0x00000020u;
inline constexpr u32 STATX_MTIME = 0x00000040u;
inline constexpr u32 STATX_CTIME = 0x00000080u;
inline constexpr u32 STATX_INO = 0x00000100u;
inline constexpr u32 STATX_SIZE = 0x00000200u;
inline constexpr u32 STATX_BLOCKS = 0x00000400u;
inline constexpr u32 STATX_BASIC_STATS = 0x000007ffu;
inline constexpr u32 STATX_BTIME = 0x00000800u;
inline constexpr u32 STATX_MNT_ID = 0x00001000u;
inline constexpr u32 STATX_DIOALIGN = 0x00002000u;
inline constexpr u32 STATX__RESERVED = 0x80000000u; // a caller setting it gets EINVAL

// stx_attributes bits.
inline constexpr u64 STATX_ATTR_COMPRESSED = 0x00000004;
inline constexpr u64 STATX_ATTR_IMMUTABLE = 0x00000010;
inline constexpr u64 STATX_ATTR_APPEND = 0x00000020;
inline constexpr u64 STATX_ATTR_NODUMP = 0x00000040;
inline constexpr u64 STATX_ATTR_ENCRYPTED = 0x00000800;
inline constexpr u64 STATX_ATTR_AUTOMOUNT = 0x00001000;
inline constexpr u64 STATX_ATTR_MOUNT_ROOT = 0x00002000;
inline constexpr u64 STATX_ATTR_VERITY = 0x00100000;
inline constexpr u64 STATX_ATTR_DAX = 0x00200000;

} // namespace uapi
