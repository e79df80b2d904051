/* The page the kernel shares with its vDSO, read-only in every process at
 * the page below the vDSO image. C, so that both the kernel (C++) and the
 * vDSO (C) include it. */
#pragma once

#include <stdint.h>

struct aramid_vdso_data {
    /* Odd while the kernel rewrites the fields below: readers retry. */
    volatile uint32_t sequence;
    /* 0: the TSC is not usable here; every call takes the syscall. */
    uint32_t enabled;
    /* CLOCK_MONOTONIC = (rdtsc() - tsc_start) * tsc_mult >> 32, as the
     * kernel's own clock (arch/x86_64/tsc.cpp) computes it. */
    uint64_t tsc_start;
    uint64_t tsc_mult;
    /* CLOCK_REALTIME = CLOCK_MONOTONIC + realtime_offset_ns. */
    int64_t realtime_offset_ns;
    /* What clock_getres says for the *_COARSE clocks (the scheduler tick). */
    int64_t coarse_resolution_ns;
};
