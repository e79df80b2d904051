// The time.h names both oracles know (time_test.cpp: glibc's <time.h> and
// <sys/time.h>; time_kernel.cpp: <linux/time.h>).
#pragma once

// clang-format off
#define UAPI_TIME_CONSTANTS(X)                                                                                         \
    X(CLOCK_REALTIME) X(CLOCK_MONOTONIC) X(CLOCK_PROCESS_CPUTIME_ID) X(CLOCK_THREAD_CPUTIME_ID)                        \
    X(CLOCK_MONOTONIC_RAW) X(CLOCK_REALTIME_COARSE) X(CLOCK_MONOTONIC_COARSE) X(CLOCK_BOOTTIME)                        \
    X(CLOCK_REALTIME_ALARM) X(CLOCK_BOOTTIME_ALARM) X(CLOCK_TAI) X(TIMER_ABSTIME) X(ITIMER_REAL) X(ITIMER_VIRTUAL)     \
    X(ITIMER_PROF)

#define UAPI_TIMESPEC_FIELDS(X, ns, T) X(ns, T, tv_sec) X(ns, T, tv_nsec)
#define UAPI_TIMEVAL_FIELDS(X, ns, T) X(ns, T, tv_sec) X(ns, T, tv_usec)
#define UAPI_TIMEZONE_FIELDS(X, ns, T) X(ns, T, tz_minuteswest) X(ns, T, tz_dsttime)
#define UAPI_INTERVAL_FIELDS(X, ns, T) X(ns, T, it_interval) X(ns, T, it_value)

#define UAPI_RECORD_TIME()                                                                                             \
    UAPI_TIME_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                          \
    UAPI_RECORD_TYPE(timespec_layout, uapi::timespec)                                                                  \
    UAPI_TIMESPEC_FIELDS(UAPI_RECORD_FIELD, timespec_layout, uapi::timespec)                                           \
    UAPI_RECORD_TYPE(timeval_layout, uapi::timeval)                                                                    \
    UAPI_TIMEVAL_FIELDS(UAPI_RECORD_FIELD, timeval_layout, uapi::timeval)                                              \
    UAPI_RECORD_TYPE(timezone_layout, uapi::timezone)                                                                  \
    UAPI_TIMEZONE_FIELDS(UAPI_RECORD_FIELD, timezone_layout, uapi::timezone)                                           \
    UAPI_RECORD_TYPE(itimerspec_layout, uapi::itimerspec)                                                              \
    UAPI_INTERVAL_FIELDS(UAPI_RECORD_FIELD, itimerspec_layout, uapi::itimerspec)                                       \
    UAPI_RECORD_TYPE(itimerval_layout, uapi::itimerval)                                                                \
    UAPI_INTERVAL_FIELDS(UAPI_RECORD_FIELD, itimerval_layout, uapi::itimerval)

#define UAPI_TIME_FACTS()                                                                                              \
    UAPI_TIME_CONSTANTS(UAPI_FACT_CONSTANT)                                                                            \
    UAPI_FACT_TYPE(timespec_layout, struct timespec)                                                                   \
    UAPI_TIMESPEC_FIELDS(UAPI_FACT_FIELD, timespec_layout, struct timespec)                                            \
    UAPI_FACT_TYPE(timeval_layout, struct timeval)                                                                     \
    UAPI_TIMEVAL_FIELDS(UAPI_FACT_FIELD, timeval_layout, struct timeval)                                               \
    UAPI_FACT_TYPE(timezone_layout, struct timezone)                                                                   \
    UAPI_TIMEZONE_FIELDS(UAPI_FACT_FIELD, timezone_layout, struct timezone)                                            \
    UAPI_FACT_TYPE(itimerspec_layout, struct itimerspec)                                                               \
    UAPI_INTERVAL_FIELDS(UAPI_FACT_FIELD, itimerspec_layout, struct itimerspec)                                        \
    UAPI_FACT_TYPE(itimerval_layout, struct itimerval)                                                                 \
    UAPI_INTERVAL_FIELDS(UAPI_FACT_FIELD, itimerval_layout, struct itimerval)
// clang-format on
