// The fcntl.h names both oracles know (fcntl_test.cpp: glibc,
// fcntl_kernel.cpp: <linux/fcntl.h>).
#pragma once

// clang-format off
#define UAPI_FCNTL_COMMON_CONSTANTS(X)                                                                                 \
    X(O_ACCMODE) X(O_RDONLY) X(O_WRONLY) X(O_RDWR) X(O_CREAT) X(O_EXCL) X(O_NOCTTY) X(O_TRUNC) X(O_APPEND)             \
    X(O_NONBLOCK) X(O_NDELAY) X(O_DSYNC) X(FASYNC) X(O_DIRECT) X(O_DIRECTORY) X(O_NOFOLLOW) X(O_NOATIME)               \
    X(O_CLOEXEC) X(O_SYNC) X(O_PATH) X(O_TMPFILE) X(AT_FDCWD) X(AT_SYMLINK_NOFOLLOW) X(AT_EACCESS) X(AT_REMOVEDIR)     \
    X(AT_SYMLINK_FOLLOW) X(AT_NO_AUTOMOUNT) X(AT_EMPTY_PATH) X(AT_STATX_SYNC_TYPE) X(AT_STATX_SYNC_AS_STAT)            \
    X(AT_STATX_FORCE_SYNC) X(AT_STATX_DONT_SYNC) X(F_DUPFD) X(F_GETFD) X(F_SETFD) X(F_GETFL) X(F_SETFL) X(F_GETLK)     \
    X(F_SETLK) X(F_SETLKW) X(F_SETOWN) X(F_GETOWN) X(F_SETSIG) X(F_GETSIG) X(F_SETOWN_EX) X(F_GETOWN_EX)               \
    X(F_OFD_GETLK) X(F_OFD_SETLK) X(F_OFD_SETLKW) X(F_SETLEASE) X(F_GETLEASE) X(F_NOTIFY) X(F_DUPFD_CLOEXEC)           \
    X(F_SETPIPE_SZ) X(F_GETPIPE_SZ) X(F_ADD_SEALS) X(F_GET_SEALS) X(FD_CLOEXEC) X(F_SEAL_SEAL) X(F_SEAL_SHRINK)        \
    X(F_SEAL_GROW) X(F_SEAL_WRITE) X(F_SEAL_FUTURE_WRITE) X(F_RDLCK) X(F_WRLCK) X(F_UNLCK) X(LOCK_SH) X(LOCK_EX)       \
    X(LOCK_NB) X(LOCK_UN) X(SEEK_SET) X(SEEK_CUR) X(SEEK_END) X(SEEK_DATA) X(SEEK_HOLE) X(RENAME_NOREPLACE)            \
    X(RENAME_EXCHANGE) X(RENAME_WHITEOUT)

#define UAPI_FLOCK_FIELDS(X, ns, T)                                                                                    \
    X(ns, T, l_type) X(ns, T, l_whence) X(ns, T, l_start) X(ns, T, l_len) X(ns, T, l_pid)
// clang-format on
