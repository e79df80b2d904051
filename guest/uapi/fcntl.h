// open(2), the *at(2) family, fcntl(2), access(2) and renameat2(2): flags
// and commands (asm-generic/fcntl.h, linux/fcntl.h, linux/fs.h, unistd.h).
#pragma once

#include <uapi/types.h>

#if defined(O_CLOEXEC) || defined(AT_FDCWD) || defined(F_GETFD) || defined(R_OK) || defined(SEEK_SET)                  \
    || defined(RENAME_NOREPLACE)
#error "<uapi/fcntl.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// open(2) flags. The access mode is a two-bit number, not a bit set.
inline constexpr int O_ACCMODE = 00000003;
inline constexpr int O_RDONLY = 00000000;
inline constexpr int O_WRONLY = 00000001;
inline constexpr int O_RDWR = 00000002;
inline constexpr int O_CREAT = 00000100;
inline constexpr int O_EXCL = 00000200;
inline constexpr int O_NOCTTY = 00000400;
inline constexpr int O_TRUNC = 00001000;
inline constexpr int O_APPEND = 00002000;
inline constexpr int O_NONBLOCK = 00004000;
inline constexpr int O_NDELAY = O_NONBLOCK;
inline constexpr int O_DSYNC = 00010000;
inline constexpr int FASYNC = 00020000;
inline constexpr int O_ASYNC = FASYNC;
inline constexpr int O_DIRECT = 00040000;
// The kernel's value. glibc passes 0 on x86-64 (every open is large there),
// but musl and old binaries may set it: accept and ignore it.
inline constexpr int O_LARGEFILE = 00100000;
inline constexpr int O_DIRECTORY = 00200000;
inline constexpr int O_NOFOLLOW = 00400000;
inline constexpr int O_NOATIME = 01000000;
inline constexpr int O_CLOEXEC = 02000000;
inline constexpr int O_SYNC = 04000000 | O_DSYNC;
inline constexpr int O_PATH = 010000000;
inline constexpr int O_TMPFILE = 020000000 | O_DIRECTORY;

// The dirfd that means "relative to the current directory", and the flags
// of the *at(2) calls. AT_EACCESS (faccessat) and AT_REMOVEDIR (unlinkat)
// share a value: each belongs to its own call.
inline constexpr int AT_FDCWD = -100;
inline constexpr int AT_SYMLINK_NOFOLLOW = 0x100;
inline constexpr int AT_EACCESS = 0x200;
inline constexpr int AT_REMOVEDIR = 0x200;
inline constexpr int AT_SYMLINK_FOLLOW = 0x400;
inline constexpr int AT_NO_AUTOMOUNT = 0x800;
inline constexpr int AT_EMPTY_PATH = 0x1000;
inline constexpr int AT_STATX_SYNC_TYPE = 0x6000;
inline constexpr int AT_STATX_SYNC_AS_STAT = 0x0000;
inline constexpr int AT_STATX_FORCE_SYNC = 0x2000;
inline constexpr int AT_STATX_DONT_SYNC = 0x4000;
inline constexpr int AT_RECURSIVE = 0x8000;

// fcntl(2) commands.
inline constexpr int F_DUPFD = 0;
inline constexpr int F_GETFD = 1;
inline constexpr int F_SETFD = 2;
inline constexpr int F_GETFL = 3;
inline constexpr int F_SETFL = 4;
inline constexpr int F_GETLK = 5;
inline constexpr int F_SETLK = 6;
inline constexpr int F_SETLKW = 7;
inline constexpr int F_SETOWN = 8;
inline constexpr int F_GETOWN = 9;
inline constexpr int F_SETSIG = 10;
inline constexpr int F_GETSIG = 11;
inline constexpr int F_SETOWN_EX = 15;
inline constexpr int F_GETOWN_EX = 16;
inline constexpr int F_OFD_GETLK = 36;
inline constexpr int F_OFD_SETLK = 37;
inline constexpr int F_OFD_SETLKW = 38;
inline constexpr int F_LINUX_SPECIFIC_BASE = 1024;
inline constexpr int F_SETLEASE = F_LINUX_SPECIFIC_BASE + 0;
inline constexpr int F_GETLEASE = F_LINUX_SPECIFIC_BASE + 1;
inline constexpr int F_NOTIFY = F_LINUX_SPECIFIC_BASE + 2;
inline constexpr int F_DUPFD_CLOEXEC = F_LINUX_SPECIFIC_BASE + 6;
inline constexpr int F_SETPIPE_SZ = F_LINUX_SPECIFIC_BASE + 7;
inline constexpr int F_GETPIPE_SZ = F_LINUX_SPECIFIC_BASE + 8;
inline constexpr int F_ADD_SEALS = F_LINUX_SPECIFIC_BASE + 9;
inline constexpr int F_GET_SEALS = F_LINUX_SPECIFIC_BASE + 10;

// F_GETFD/F_SETFD: the only descriptor flag.
inline constexpr int FD_CLOEXEC = 1;

// F_ADD_SEALS/F_GET_SEALS (memfd).
inline constexpr int F_SEAL_SEAL = 0x0001;
inline constexpr int F_SEAL_SHRINK = 0x0002;
inline constexpr int F_SEAL_GROW = 0x0004;
inline constexpr int F_SEAL_WRITE = 0x0008;
inline constexpr int F_SEAL_FUTURE_WRITE = 0x0010;

// Record locks: struct flock and its l_type values.
inline constexpr short F_RDLCK = 0;
inline constexpr short F_WRLCK = 1;
inline constexpr short F_UNLCK = 2;

struct flock {
    i16 l_type;
    i16 l_whence;
    u32 _pad0;
    off_t l_start;
    off_t l_len;
    pid_t l_pid;
    u32 _pad1;
};
static_assert(sizeof(flock) == 32);

// flock(2).
inline constexpr int LOCK_SH = 1;
inline constexpr int LOCK_EX = 2;
inline constexpr int LOCK_NB = 4;
inline constexpr int LOCK_UN = 8;

// lseek(2) whence.
inline constexpr int SEEK_SET = 0;
inline constexpr int SEEK_CUR = 1;
inline constexpr int SEEK_END = 2;
inline constexpr int SEEK_DATA = 3;
inline constexpr int SEEK_HOLE = 4;

// renameat2(2) flags.
inline constexpr unsigned RENAME_NOREPLACE = 1u << 0;
inline constexpr unsigned RENAME_EXCHANGE = 1u << 1;
inline constexpr unsigned RENAME_WHITEOUT = 1u << 2;

// access(2)/faccessat(2) modes.
inline constexpr int F_OK = 0;
inline constexpr int X_OK = 1;
inline constexpr int W_OK = 2;
inline constexpr int R_OK = 4;

} // namespace uapi
