// Scatter-gather I/O: readv(2), writev(2), preadv2(2), and msghdr's msg_iov
// (linux/uio.h).
#pragma once

#include <uapi/types.h>

#if defined(UIO_MAXIOV)
#error "<uapi/uio.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

struct iovec {
    u64 iov_base; // user address
    u64 iov_len;
};
static_assert(sizeof(iovec) == 16);

// The most iovecs one call takes (EINVAL beyond); IOV_MAX in libc.
inline constexpr usize UIO_MAXIOV = 1024;
inline constexpr usize UIO_FASTIOV = 8;

// preadv2(2)/pwritev2(2) flags.
inline constexpr int RWF_HIPRI = 0x00000001;
inline constexpr int RWF_DSYNC = 0x00000002;
inline constexpr int RWF_SYNC = 0x00000004;
inline constexpr int RWF_NOWAIT = 0x00000008;
inline constexpr int RWF_APPEND = 0x00000010;

} // namespace uapi
