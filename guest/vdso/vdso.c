/* The vDSO: clock_gettime, gettimeofday, time and clock_getres without
 * entering the kernel, from the TSC and the kernel's data page. A syscall
 * costs ~1 µs under PVM (several under SYSRET); RDTSC runs natively.
 *
 * Freestanding: no libc, no relocations, no writable data. The C library
 * finds these by name and version (LINUX_2.6) through AT_SYSINFO_EHDR. */
#include "vdso_data.h"

struct timespec_ {
    int64_t tv_sec;
    int64_t tv_nsec;
};
struct timeval_ {
    int64_t tv_sec;
    int64_t tv_usec;
};

enum {
    CLOCK_REALTIME = 0, CLOCK_MONOTONIC = 1, CLOCK_MONOTONIC_RAW = 4, CLOCK_REALTIME_COARSE = 5,
    CLOCK_MONOTONIC_COARSE = 6, CLOCK_BOOTTIME = 7,
};
enum { SYS_gettimeofday = 96, SYS_time = 201, SYS_clock_gettime = 228, SYS_clock_getres = 229 };

/* The image's own ELF header: the data page is the page below it. */
extern char const __ehdr_start[] __attribute__((visibility("hidden")));

static struct aramid_vdso_data const *data(void)
{
    char const *image = __ehdr_start;
    __asm__("" : "+r"(image)); /* an address, not an array to bounds-check */
    return (struct aramid_vdso_data const *)(image - 4096);
}

static long syscall2(long number, long a, long b)
{
    long result;
    __asm__ volatile("syscall" : "=a"(result) : "a"(number), "D"(a), "S"(b) : "rcx", "r11", "memory");
    return result;
}

static uint64_t rdtsc_ordered(void)
{
    uint32_t low, high;
    /* LFENCE keeps the read from running ahead of earlier loads, so two
     * reads in program order never go backwards. */
    __asm__ volatile("lfence; rdtsc" : "=a"(low), "=d"(high)::"memory");
    return ((uint64_t)high << 32) | low;
}

/* Nanoseconds on the clock `id` names, or -1 if it must take the syscall. */
static int64_t now_ns(int id)
{
    struct aramid_vdso_data const *d = data();
    int realtime;
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_REALTIME_COARSE: realtime = 1; break;
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_MONOTONIC_COARSE:
    case CLOCK_BOOTTIME: realtime = 0; break;
    default: return -1;
    }
    for (;;) {
        uint32_t const sequence = d->sequence;
        __asm__ volatile("" ::: "memory");
        if (!d->enabled) return -1;
        uint64_t const ticks = rdtsc_ordered() - d->tsc_start;
        int64_t ns = (int64_t)(uint64_t)(((unsigned __int128)ticks * d->tsc_mult) >> 32);
        if (realtime) ns += d->realtime_offset_ns;
        __asm__ volatile("" ::: "memory");
        if (!(sequence & 1) && d->sequence == sequence) return ns;
    }
}

int __vdso_clock_gettime(int id, struct timespec_ *ts)
{
    int64_t const ns = now_ns(id);
    if (ns < 0) return (int)syscall2(SYS_clock_gettime, id, (long)ts);
    ts->tv_sec = ns / 1000000000;
    ts->tv_nsec = ns % 1000000000;
    return 0;
}

int __vdso_gettimeofday(struct timeval_ *tv, void *tz)
{
    int64_t const ns = now_ns(CLOCK_REALTIME);
    if (ns < 0 || tz) return (int)syscall2(SYS_gettimeofday, (long)tv, (long)tz);
    if (tv) {
        tv->tv_sec = ns / 1000000000;
        tv->tv_usec = ns % 1000000000 / 1000;
    }
    return 0;
}

int64_t __vdso_time(int64_t *out)
{
    int64_t const ns = now_ns(CLOCK_REALTIME);
    if (ns < 0) return syscall2(SYS_time, (long)out, 0);
    int64_t const seconds = ns / 1000000000;
    if (out) *out = seconds;
    return seconds;
}

int __vdso_clock_getres(int id, struct timespec_ *res)
{
    struct aramid_vdso_data const *d = data();
    int64_t ns;
    switch (id) {
    case CLOCK_REALTIME:
    case CLOCK_MONOTONIC:
    case CLOCK_MONOTONIC_RAW:
    case CLOCK_BOOTTIME: ns = 1; break;
    case CLOCK_REALTIME_COARSE:
    case CLOCK_MONOTONIC_COARSE: ns = d->coarse_resolution_ns; break;
    default: return (int)syscall2(SYS_clock_getres, id, (long)res);
    }
    if (!d->enabled) return (int)syscall2(SYS_clock_getres, id, (long)res);
    if (res) {
        res->tv_sec = 0;
        res->tv_nsec = ns;
    }
    return 0;
}

/* The unversioned names some C libraries also try. */
int clock_gettime(int, struct timespec_ *) __attribute__((weak, alias("__vdso_clock_gettime")));
int gettimeofday(struct timeval_ *, void *) __attribute__((weak, alias("__vdso_gettimeofday")));
int64_t time(int64_t *) __attribute__((weak, alias("__vdso_time")));
int clock_getres(int, struct timespec_ *) __attribute__((weak, alias("__vdso_clock_getres")));
