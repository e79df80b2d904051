// select(2) and pselect6(2): fd_set, a bitmap of 1024 descriptors
// (linux/posix_types.h's __kernel_fd_set). The bit for fd n is bit n % 64 of
// fds_bits[n / 64]. The kernel reads only the first (nfds + 63) / 64 words.
#pragma once

#include <uapi/types.h>

#if defined(FD_SETSIZE)
#error "<uapi/select.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr int FD_SETSIZE = 1024;

struct fd_set {
    u64 fds_bits[FD_SETSIZE / 64];
};
static_assert(sizeof(fd_set) == 128);

// pselect6(2)'s sixth argument: the signal mask and its size, which must be
// 8 (the kernel's struct sigset_argpack in fs/select.c).
struct sigset_argpack {
    u64 p; // user address of a kernel_sigset_t, or 0 for "no change"
    u64 size;
};
static_assert(sizeof(sigset_argpack) == 16);

} // namespace uapi
