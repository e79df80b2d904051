/* Contract: clock_getres reports tv_sec 0 and a resolution of at most 1 ms
 * for the high-resolution clocks and at most 10 ms for the coarse ones,
 * through the vDSO and the system call alike; an unknown clock id is EINVAL
 * for clock_getres and clock_gettime, and a bad pointer is EFAULT. */
#include "contract.h"

#include <sys/syscall.h>
#include <time.h>

#ifndef CLOCK_MONOTONIC_RAW
#define CLOCK_MONOTONIC_RAW 4
#endif
#ifndef CLOCK_REALTIME_COARSE
#define CLOCK_REALTIME_COARSE 5
#endif
#ifndef CLOCK_MONOTONIC_COARSE
#define CLOCK_MONOTONIC_COARSE 6
#endif
#ifndef CLOCK_BOOTTIME
#define CLOCK_BOOTTIME 7
#endif

static void check_resolution(char const *name, clockid_t id, long limit_ns, char const *limit_text)
{
    struct timespec libc = { -1, -1 }, raw = { -1, -1 };
    OK(clock_getres(id, &libc));
    OK(syscall(SYS_clock_getres, id, &raw));
    int const ok = libc.tv_sec == 0 && libc.tv_nsec > 0 && libc.tv_nsec <= limit_ns;
    printf("%s: tv_sec 0, 0 < tv_nsec <= %s: %s; syscall agrees with the vDSO: %s\n", name, limit_text,
           ok ? "yes" : "no", raw.tv_sec == libc.tv_sec && raw.tv_nsec == libc.tv_nsec ? "yes" : "no");
    CHECK(ok, name);
    OK(clock_getres(id, NULL));
    OK(syscall(SYS_clock_getres, id, NULL));
}

int main(void)
{
    long const ms = 1000 * 1000;
    check_resolution("CLOCK_REALTIME", CLOCK_REALTIME, ms, "1 ms");
    check_resolution("CLOCK_MONOTONIC", CLOCK_MONOTONIC, ms, "1 ms");
    check_resolution("CLOCK_MONOTONIC_RAW", CLOCK_MONOTONIC_RAW, ms, "1 ms");
    check_resolution("CLOCK_BOOTTIME", CLOCK_BOOTTIME, ms, "1 ms");
    check_resolution("CLOCK_PROCESS_CPUTIME_ID", CLOCK_PROCESS_CPUTIME_ID, ms, "1 ms");
    check_resolution("CLOCK_THREAD_CPUTIME_ID", CLOCK_THREAD_CPUTIME_ID, ms, "1 ms");
    check_resolution("CLOCK_REALTIME_COARSE", CLOCK_REALTIME_COARSE, 10 * ms, "10 ms");
    check_resolution("CLOCK_MONOTONIC_COARSE", CLOCK_MONOTONIC_COARSE, 10 * ms, "10 ms");

    /* Unknown clock ids: 10 (the removed CLOCK_SGI_CYCLE), 12 and up, and
     * negative ids that name no CPU clock (-1: low bits 3). */
    static clockid_t const bad[] = { 10, 12, 16, 100, 0x7fffffff, -1 };
    for (unsigned i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct timespec t;
        char what[64];
        snprintf(what, sizeof what, "clock_getres(%d)", (int)bad[i]);
        EXPECT_ERRNO(what, clock_getres(bad[i], &t), EINVAL);
        snprintf(what, sizeof what, "clock_gettime(%d)", (int)bad[i]);
        EXPECT_ERRNO(what, clock_gettime(bad[i], &t), EINVAL);
        snprintf(what, sizeof what, "SYS_clock_gettime(%d)", (int)bad[i]);
        EXPECT_ERRNO(what, syscall(SYS_clock_gettime, bad[i], &t), EINVAL);
    }

    /* Bad pointers (the system call: the vDSO would fault in user mode). */
    EXPECT_ERRNO("SYS_clock_gettime to an unmapped address", syscall(SYS_clock_gettime, CLOCK_MONOTONIC, (void *)16),
                 EFAULT);
    EXPECT_ERRNO("SYS_clock_gettime to a kernel address",
                 syscall(SYS_clock_gettime, CLOCK_REALTIME, (void *)0xffffffff81000000ul), EFAULT);
    EXPECT_ERRNO("SYS_clock_getres to an unmapped address", syscall(SYS_clock_getres, CLOCK_MONOTONIC, (void *)16),
                 EFAULT);
    EXPECT_ERRNO("SYS_gettimeofday to an unmapped address", syscall(SYS_gettimeofday, (void *)16, NULL), EFAULT);
    EXPECT_ERRNO("SYS_time to an unmapped address", syscall(SYS_time, (void *)16), EFAULT);
    EXPECT_ERRNO("SYS_clock_gettime(CLOCK_PROCESS_CPUTIME_ID) to an unmapped address",
                 syscall(SYS_clock_gettime, CLOCK_PROCESS_CPUTIME_ID, (void *)16), EFAULT);
    ct_pass();
}
