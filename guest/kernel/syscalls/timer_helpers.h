// What the timer syscalls share (timerfd, POSIX timers, interval timers,
// sleeps): the clocks a timer can count on, timespecs and timevals to and
// from nanoseconds, and wall-clock deadlines on the monotonic clock.
#pragma once

#include <kernel/proc/process.h>
#include <kernel/sched/clock.h>
#include <lib/result.h>
#include <uapi/time.h>

namespace timer_clock {

inline constexpr int CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_BOOTTIME = 7, CLOCK_REALTIME_ALARM = 8,
                     CLOCK_BOOTTIME_ALARM = 9;

// timerfd_create and timer_create: the wall, monotonic and boot clocks; the
// _ALARM ones need root (CAP_WAKE_ALARM); no CPU-time clocks (yet).
inline Result<void> check(int clock) {
    switch (clock) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_BOOTTIME: return {};
    case CLOCK_REALTIME_ALARM:
    case CLOCK_BOOTTIME_ALARM:
        if (current_process().credentials().euid != 0) return Errno(EPERM);
        return {};
    }
    return Errno(EINVAL);
}

// Whether absolute times of `clock` are wall-clock times.
inline bool is_wall_clock(int clock) { return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_ALARM; }

} // namespace timer_clock

// A user timespec in nanoseconds: EINVAL unless tv_sec >= 0 and 0 <=
// tv_nsec < 1 s. Past a hundred years, one value that means "forever" and
// does not overflow when added to any uptime.
inline Result<u64> timespec_ns(uapi::timespec const& t) {
    if (t.tv_sec < 0 || t.tv_nsec < 0 || t.tv_nsec >= 1000000000) return Errno(EINVAL);
    if (u64(t.tv_sec) > 1000000000ull * 100) return ~0ull >> 2;
    return u64(t.tv_sec) * 1000000000 + u64(t.tv_nsec);
}

inline uapi::timespec ns_timespec(u64 ns) { return { i64(ns / 1000000000), i64(ns % 1000000000) }; }
inline uapi::timeval ns_timeval(u64 ns) { return { i64(ns / 1000000000), i64(ns % 1000000000 / 1000) }; }

// The monotonic time that wall-clock time `wall_ns` stands for at monotonic
// time `now` (`now` itself if that wall time has passed).
inline u64 wall_to_monotonic(u64 wall_ns, u64 now) {
    u64 const wall_now = clock::realtime().to_ns();
    return wall_ns > wall_now ? now + (wall_ns - wall_now) : now;
}
