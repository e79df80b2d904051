/* Contract: clock_settime and settimeofday check their arguments before
 * anything else (EINVAL for a bad time, a clock that cannot be set or a bad
 * time zone, EFAULT for a bad pointer, EPERM for a CPU clock by pid) and
 * need root (EPERM). Nothing here sets the clock: on the host that would change
 * the machine's time, so every call is one that must fail. */
#include "contract.h"

#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

/* The system call itself: musl's settimeofday() reads the timeval in user
 * space and ignores the time zone and a NULL time. */
static long sys_settimeofday(void const *tv, void const *tz) { return syscall(SYS_settimeofday, tv, tz); }

static int settime_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_REALTIME, &t);
    return clock_settime(CLOCK_REALTIME, &t) == 0 ? 0 : errno;
}

static int settimeofday_now(void)
{
    struct timeval t;
    gettimeofday(&t, NULL);
    return sys_settimeofday(&t, NULL) == 0 ? 0 : errno;
}

static int settimeofday_nothing(void) { return sys_settimeofday(NULL, NULL) == 0 ? 0 : errno; }

int main(void)
{
    struct timespec now;
    OK(clock_gettime(CLOCK_REALTIME, &now));
    struct timespec bad = { now.tv_sec, 1000000000 };
    EXPECT_ERRNO("clock_settime with tv_nsec of a whole second", clock_settime(CLOCK_REALTIME, &bad), EINVAL);
    bad = (struct timespec) { -1, 0 };
    EXPECT_ERRNO("clock_settime before the epoch", clock_settime(CLOCK_REALTIME, &bad), EINVAL);
    EXPECT_ERRNO("clock_settime with a bad pointer", clock_settime(CLOCK_REALTIME, (void *)16), EFAULT);
    EXPECT_ERRNO("clock_settime of CLOCK_MONOTONIC", clock_settime(CLOCK_MONOTONIC, &now), EINVAL);
    EXPECT_ERRNO("clock_settime of CLOCK_BOOTTIME", clock_settime(CLOCK_BOOTTIME, &now), EINVAL);
    EXPECT_ERRNO("clock_settime of an unknown clock", clock_settime(12345, &now), EINVAL);
    EXPECT_ERRNO("clock_settime of CLOCK_PROCESS_CPUTIME_ID", clock_settime(CLOCK_PROCESS_CPUTIME_ID, &now), EINVAL);
    EXPECT_ERRNO("clock_settime of CLOCK_THREAD_CPUTIME_ID", clock_settime(CLOCK_THREAD_CPUTIME_ID, &now), EINVAL);
    clockid_t cpu;
    CHECK(clock_getcpuclockid(0, &cpu) == 0, "clock_getcpuclockid");
    EXPECT_ERRNO("clock_settime of the process's CPU clock by pid", clock_settime(cpu, &now), EPERM);

    struct timeval tv = { now.tv_sec, 1000000 };
    EXPECT_ERRNO("settimeofday with tv_usec of a whole second", sys_settimeofday(&tv, NULL), EINVAL);
    EXPECT_ERRNO("settimeofday with a bad pointer", sys_settimeofday((void *)16, NULL), EFAULT);
    struct timezone zone = { 16 * 60, 0 };
    EXPECT_ERRNO("settimeofday with a time zone 16 hours off", sys_settimeofday(NULL, &zone), EINVAL);

    ct_as_user("clock_settime(CLOCK_REALTIME)", settime_now);
    ct_as_user("settimeofday(time)", settimeofday_now);
    ct_as_user("settimeofday(NULL, NULL)", settimeofday_nothing);
    ct_pass();
}
