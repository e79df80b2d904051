// getrandom(2) flags (linux/random.h).
#pragma once

#include <uapi/types.h>

#if defined(GRND_NONBLOCK)
#error "<uapi/random.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr unsigned GRND_NONBLOCK = 0x0001;
inline constexpr unsigned GRND_RANDOM = 0x0002;
inline constexpr unsigned GRND_INSECURE = 0x0004; // never blocks, even before the pool is ready

} // namespace uapi
