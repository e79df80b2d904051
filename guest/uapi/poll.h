// poll(2) and ppoll(2): struct pollfd and the event bits (asm-generic/poll.h).
// epoll uses the same bit values (uapi/epoll.h).
#pragma once

#include <uapi/types.h>

#if defined(POLLIN) || defined(POLLRDHUP)
#error "<uapi/poll.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

struct pollfd {
    i32 fd; // negative: ignored, revents = 0
    i16 events;
    i16 revents;
};
static_assert(sizeof(pollfd) == 8);

inline constexpr i16 POLLIN = 0x0001;
inline constexpr i16 POLLPRI = 0x0002;
inline constexpr i16 POLLOUT = 0x0004;
inline constexpr i16 POLLERR = 0x0008; // always reported, never asked for
inline constexpr i16 POLLHUP = 0x0010; // always reported, never asked for
inline constexpr i16 POLLNVAL = 0x0020; // fd is not open
inline constexpr i16 POLLRDNORM = 0x0040;
inline constexpr i16 POLLRDBAND = 0x0080;
inline constexpr i16 POLLWRNORM = 0x0100;
inline constexpr i16 POLLWRBAND = 0x0200;
inline constexpr i16 POLLMSG = 0x0400;
inline constexpr i16 POLLREMOVE = 0x1000;
inline constexpr i16 POLLRDHUP = 0x2000;

} // namespace uapi
