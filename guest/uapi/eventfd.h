// eventfd2(2) flags (include/linux/eventfd.h in the kernel; no uapi header).
#pragma once

#include <uapi/fcntl.h>
#include <uapi/types.h>

#if defined(EFD_CLOEXEC) || defined(EFD_SEMAPHORE)
#error "<uapi/eventfd.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr int EFD_SEMAPHORE = 1; // each read takes 1, not the whole count
inline constexpr int EFD_CLOEXEC = O_CLOEXEC;
inline constexpr int EFD_NONBLOCK = O_NONBLOCK;

} // namespace uapi
