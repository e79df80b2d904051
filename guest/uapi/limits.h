// Limits of the ABI (linux/limits.h, linux/binfmts.h, and the kernel's
// include/linux/namei.h for the symlink limit).
#pragma once

#include <uapi/types.h>

#if defined(PATH_MAX) || defined(NAME_MAX) || defined(PIPE_BUF) || defined(NGROUPS_MAX)
#error "<uapi/limits.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// The longest path a syscall accepts, NUL included (ENAMETOOLONG beyond).
inline constexpr usize PATH_MAX = 4096;
// The longest path component, without the NUL.
inline constexpr usize NAME_MAX = 255;
// Writes to a pipe up to this size are atomic.
inline constexpr usize PIPE_BUF = 4096;
// Symlinks followed while resolving one path before ELOOP (MAXSYMLINKS).
inline constexpr usize SYMLOOP_MAX = 40;
inline constexpr usize NGROUPS_MAX = 65536;
inline constexpr usize LINK_MAX = 127;
inline constexpr usize MAX_CANON = 255; // a canonical-mode tty line
inline constexpr usize MAX_INPUT = 255;
inline constexpr usize HOST_NAME_MAX = 64;
inline constexpr usize LOGIN_NAME_MAX = 256;
inline constexpr usize XATTR_NAME_MAX = 255;
inline constexpr usize XATTR_SIZE_MAX = 65536;
inline constexpr usize XATTR_LIST_MAX = 65536;
inline constexpr usize RTSIG_MAX = 32;
inline constexpr usize IOV_MAX = 1024;

// execve(2). ARG_MAX is the historical constant: Linux really bounds
// argv + envp by a quarter of RLIMIT_STACK (at least ARG_MAX), each string
// by MAX_ARG_STRLEN (E2BIG) and their count by MAX_ARG_STRINGS.
inline constexpr usize ARG_MAX = 131072;
inline constexpr usize MAX_ARG_STRLEN = 32 * 4096; // PAGE_SIZE * 32
inline constexpr usize MAX_ARG_STRINGS = 0x7fffffff;
// The bytes of a file exec reads to recognise it ("#!" lines are cut there).
inline constexpr usize BINPRM_BUF_SIZE = 256;

} // namespace uapi
