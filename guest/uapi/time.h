// Time: timespec, timeval and friends, clock ids, interval timers
// (linux/time.h, linux/time_types.h). On x86-64 every time_t is 64 bits, so
// the "old" and the "new" (__kernel_timespec) layouts are the same.
#pragma once

#include <uapi/types.h>

#if defined(CLOCK_REALTIME) || defined(TIMER_ABSTIME) || defined(ITIMER_REAL)
#error "<uapi/time.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

struct timespec {
    time_t tv_sec;
    i64 tv_nsec;
};
static_assert(sizeof(timespec) == 16);

struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
};
static_assert(sizeof(timeval) == 16);

// gettimeofday(2)'s obsolete second argument.
struct timezone {
    i32 tz_minuteswest;
    i32 tz_dsttime;
};
static_assert(sizeof(timezone) == 8);

// timer_settime(2), timerfd_settime(2).
struct itimerspec {
    timespec it_interval;
    timespec it_value;
};
static_assert(sizeof(itimerspec) == 32);

// setitimer(2).
struct itimerval {
    timeval it_interval;
    timeval it_value;
};
static_assert(sizeof(itimerval) == 32);

// clock_gettime(2) ids. Negative ids encode per-process and per-thread CPU
// clocks (clock_getcpuclockid) and fd clocks.
inline constexpr clockid_t CLOCK_REALTIME = 0;
inline constexpr clockid_t CLOCK_MONOTONIC = 1;
inline constexpr clockid_t CLOCK_PROCESS_CPUTIME_ID = 2;
inline constexpr clockid_t CLOCK_THREAD_CPUTIME_ID = 3;
inline constexpr clockid_t CLOCK_MONOTONIC_RAW = 4;
inline constexpr clockid_t CLOCK_REALTIME_COARSE = 5;
inline constexpr clockid_t CLOCK_MONOTONIC_COARSE = 6;
inline constexpr clockid_t CLOCK_BOOTTIME = 7;
inline constexpr clockid_t CLOCK_REALTIME_ALARM = 8;
inline constexpr clockid_t CLOCK_BOOTTIME_ALARM = 9;
inline constexpr clockid_t CLOCK_TAI = 11;

// clock_nanosleep(2), timer_settime(2): the time is absolute.
inline constexpr int TIMER_ABSTIME = 0x01;

// setitimer(2) timers.
inline constexpr int ITIMER_REAL = 0;
inline constexpr int ITIMER_VIRTUAL = 1;
inline constexpr int ITIMER_PROF = 2;

} // namespace uapi
