// The resource.h names both oracles know (resource_test.cpp: glibc's
// <sys/resource.h>; resource_kernel.cpp: <linux/resource.h>).
#pragma once

// clang-format off
#define UAPI_RESOURCE_CONSTANTS(X)                                                                                     \
    X(RLIMIT_CPU) X(RLIMIT_FSIZE) X(RLIMIT_DATA) X(RLIMIT_STACK) X(RLIMIT_CORE) X(RLIMIT_RSS) X(RLIMIT_NPROC)          \
    X(RLIMIT_NOFILE) X(RLIMIT_MEMLOCK) X(RLIMIT_AS) X(RLIMIT_LOCKS) X(RLIMIT_SIGPENDING) X(RLIMIT_MSGQUEUE)            \
    X(RLIMIT_NICE) X(RLIMIT_RTPRIO) X(RLIMIT_RTTIME) X(RLIM_NLIMITS) X(RLIM_INFINITY) X(RLIM64_INFINITY)               \
    X(RUSAGE_SELF) X(RUSAGE_CHILDREN) X(RUSAGE_THREAD) X(PRIO_MIN) X(PRIO_MAX) X(PRIO_PROCESS) X(PRIO_PGRP)            \
    X(PRIO_USER)

#define UAPI_RLIMIT_FIELDS(X, ns, T) X(ns, T, rlim_cur) X(ns, T, rlim_max)

#define UAPI_RUSAGE_FIELDS(X, ns, T)                                                                                   \
    X(ns, T, ru_utime) X(ns, T, ru_stime) X(ns, T, ru_maxrss) X(ns, T, ru_ixrss) X(ns, T, ru_idrss)                    \
    X(ns, T, ru_isrss) X(ns, T, ru_minflt) X(ns, T, ru_majflt) X(ns, T, ru_nswap) X(ns, T, ru_inblock)                 \
    X(ns, T, ru_oublock) X(ns, T, ru_msgsnd) X(ns, T, ru_msgrcv) X(ns, T, ru_nsignals) X(ns, T, ru_nvcsw)              \
    X(ns, T, ru_nivcsw)

#define UAPI_RECORD_RESOURCE()                                                                                         \
    UAPI_RESOURCE_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                      \
    UAPI_RECORD_TYPE(rlimit_layout, uapi::rlimit)                                                                      \
    UAPI_RLIMIT_FIELDS(UAPI_RECORD_FIELD, rlimit_layout, uapi::rlimit)                                                 \
    UAPI_RECORD_TYPE(rlimit64_layout, uapi::rlimit64)                                                                  \
    UAPI_RLIMIT_FIELDS(UAPI_RECORD_FIELD, rlimit64_layout, uapi::rlimit64)                                             \
    UAPI_RECORD_TYPE(rusage_layout, uapi::rusage)                                                                      \
    UAPI_RUSAGE_FIELDS(UAPI_RECORD_FIELD, rusage_layout, uapi::rusage)

#define UAPI_RESOURCE_FACTS()                                                                                          \
    UAPI_RESOURCE_CONSTANTS(UAPI_FACT_CONSTANT)                                                                        \
    UAPI_FACT_TYPE(rlimit_layout, struct rlimit)                                                                       \
    UAPI_RLIMIT_FIELDS(UAPI_FACT_FIELD, rlimit_layout, struct rlimit)                                                  \
    UAPI_FACT_TYPE(rlimit64_layout, struct rlimit64)                                                                   \
    UAPI_RLIMIT_FIELDS(UAPI_FACT_FIELD, rlimit64_layout, struct rlimit64)                                              \
    UAPI_FACT_TYPE(rusage_layout, struct rusage)                                                                       \
    UAPI_RUSAGE_FIELDS(UAPI_FACT_FIELD, rusage_layout, struct rusage)
// clang-format on
