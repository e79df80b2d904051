// Resource limits and usage: getrlimit(2), prlimit64(2), getrusage(2),
// getpriority(2) (asm-generic/resource.h, linux/resource.h).
#pragma once

#include <uapi/time.h>
#include <uapi/types.h>

#if defined(RLIMIT_NOFILE) || defined(RLIM_INFINITY) || defined(RUSAGE_SELF) || defined(PRIO_PROCESS)
#error "<uapi/resource.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr int RLIMIT_CPU = 0; // seconds of CPU time
inline constexpr int RLIMIT_FSIZE = 1; // largest file; SIGXFSZ beyond it
inline constexpr int RLIMIT_DATA = 2;
inline constexpr int RLIMIT_STACK = 3;
inline constexpr int RLIMIT_CORE = 4;
inline constexpr int RLIMIT_RSS = 5;
inline constexpr int RLIMIT_NPROC = 6;
inline constexpr int RLIMIT_NOFILE = 7; // one more than the largest fd
inline constexpr int RLIMIT_MEMLOCK = 8;
inline constexpr int RLIMIT_AS = 9;
inline constexpr int RLIMIT_LOCKS = 10;
inline constexpr int RLIMIT_SIGPENDING = 11;
inline constexpr int RLIMIT_MSGQUEUE = 12;
inline constexpr int RLIMIT_NICE = 13;
inline constexpr int RLIMIT_RTPRIO = 14;
inline constexpr int RLIMIT_RTTIME = 15;
inline constexpr int RLIM_NLIMITS = 16;

inline constexpr rlim_t RLIM_INFINITY = ~rlim_t(0);
inline constexpr rlim_t RLIM64_INFINITY = ~rlim_t(0);

// getrlimit(2)/setrlimit(2); on x86-64 the same as prlimit64(2)'s rlimit64.
struct rlimit {
    rlim_t rlim_cur;
    rlim_t rlim_max;
};
static_assert(sizeof(rlimit) == 16);

struct rlimit64 {
    u64 rlim_cur;
    u64 rlim_max;
};
static_assert(sizeof(rlimit64) == 16);

inline constexpr int RUSAGE_SELF = 0;
inline constexpr int RUSAGE_CHILDREN = -1;
inline constexpr int RUSAGE_BOTH = -2; // wait4(2)'s internal use
inline constexpr int RUSAGE_THREAD = 1;

struct rusage {
    timeval ru_utime;
    timeval ru_stime;
    i64 ru_maxrss; // KiB
    i64 ru_ixrss;
    i64 ru_idrss;
    i64 ru_isrss;
    i64 ru_minflt;
    i64 ru_majflt;
    i64 ru_nswap;
    i64 ru_inblock;
    i64 ru_oublock;
    i64 ru_msgsnd;
    i64 ru_msgrcv;
    i64 ru_nsignals;
    i64 ru_nvcsw;
    i64 ru_nivcsw;
};
static_assert(sizeof(rusage) == 144);

// getpriority(2)/setpriority(2).
inline constexpr int PRIO_MIN = -20;
inline constexpr int PRIO_MAX = 20;
inline constexpr int PRIO_PROCESS = 0;
inline constexpr int PRIO_PGRP = 1;
inline constexpr int PRIO_USER = 2;

} // namespace uapi
