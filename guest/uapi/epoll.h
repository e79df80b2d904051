// epoll(7): struct epoll_event, the event bits, the epoll_ctl(2) operations
// and epoll_create1(2)'s flag (linux/eventpoll.h).
#pragma once

#include <uapi/fcntl.h>
#include <uapi/types.h>

#if defined(EPOLLIN) || defined(EPOLL_CTL_ADD) || defined(EPOLL_CLOEXEC)
#error "<uapi/epoll.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// Packed on x86-64 only (EPOLL_PACKED), so that the 32-bit and 64-bit ABIs
// agree: data sits at offset 4 and the struct is 12 bytes.
struct PACKED epoll_event {
    u32 events;
    u64 data; // returned to user space untouched
};
static_assert(sizeof(epoll_event) == 12);
static_assert(offsetof(epoll_event, data) == 4);

inline constexpr int EPOLL_CLOEXEC = O_CLOEXEC;

inline constexpr int EPOLL_CTL_ADD = 1;
inline constexpr int EPOLL_CTL_DEL = 2;
inline constexpr int EPOLL_CTL_MOD = 3;

// The low bits equal the POLL* bits.
inline constexpr u32 EPOLLIN = 0x00000001;
inline constexpr u32 EPOLLPRI = 0x00000002;
inline constexpr u32 EPOLLOUT = 0x00000004;
inline constexpr u32 EPOLLERR = 0x00000008;
inline constexpr u32 EPOLLHUP = 0x00000010;
inline constexpr u32 EPOLLNVAL = 0x00000020;
inline constexpr u32 EPOLLRDNORM = 0x00000040;
inline constexpr u32 EPOLLRDBAND = 0x00000080;
inline constexpr u32 EPOLLWRNORM = 0x00000100;
inline constexpr u32 EPOLLWRBAND = 0x00000200;
inline constexpr u32 EPOLLMSG = 0x00000400;
inline constexpr u32 EPOLLRDHUP = 0x00002000;
// Input-only flags: how to report, not what.
inline constexpr u32 EPOLLEXCLUSIVE = 1u << 28;
inline constexpr u32 EPOLLWAKEUP = 1u << 29;
inline constexpr u32 EPOLLONESHOT = 1u << 30;
inline constexpr u32 EPOLLET = 1u << 31;

} // namespace uapi
