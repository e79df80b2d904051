/* Contract: nanosleep and clock_nanosleep sleep at least as long as asked
 * (relative, or until a TIMER_ABSTIME deadline), reject a bad timespec with
 * EINVAL and a bad pointer with EFAULT, report the time left when a handler
 * interrupts them, and resume by themselves across a stop and continue. */
#include "contract.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

static int64_t now_ns(clockid_t id)
{
    struct timespec t;
    OK(clock_gettime(id, &t));
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct timespec to_timespec(int64_t ns) { return (struct timespec) { ns / 1000000000, ns % 1000000000 }; }

static void on_alarm(int sig) { (void)sig; }

int main(void)
{
    int64_t const ms = 1000 * 1000;

    /* Relative sleeps, measured on CLOCK_MONOTONIC. */
    struct timespec request = to_timespec(30 * ms), remaining;
    int64_t start = now_ns(CLOCK_MONOTONIC);
    OK(nanosleep(&request, NULL));
    EXPECT("nanosleep(30 ms) slept at least 30 ms", now_ns(CLOCK_MONOTONIC) - start >= 30 * ms);
    start = now_ns(CLOCK_MONOTONIC);
    OK(syscall(SYS_nanosleep, &request, NULL));
    EXPECT("SYS_nanosleep(30 ms) slept at least 30 ms", now_ns(CLOCK_MONOTONIC) - start >= 30 * ms);

    static clockid_t const clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };
    static char const *const names[] = { "CLOCK_MONOTONIC", "CLOCK_REALTIME", "CLOCK_BOOTTIME" };
    for (int i = 0; i < 3; i++) {
        char what[96];
        start = now_ns(clocks[i]);
        int r = clock_nanosleep(clocks[i], 0, &request, NULL);
        CHECK(r == 0, "clock_nanosleep relative");
        snprintf(what, sizeof what, "clock_nanosleep(%s, 30 ms) slept at least 30 ms", names[i]);
        EXPECT(what, now_ns(clocks[i]) - start >= 30 * ms);

        /* TIMER_ABSTIME: until the clock reads the deadline. */
        int64_t const deadline = now_ns(clocks[i]) + 25 * ms;
        struct timespec absolute = to_timespec(deadline);
        r = clock_nanosleep(clocks[i], TIMER_ABSTIME, &absolute, NULL);
        CHECK(r == 0, "clock_nanosleep TIMER_ABSTIME");
        snprintf(what, sizeof what, "clock_nanosleep(%s, TIMER_ABSTIME) woke at or after the deadline", names[i]);
        EXPECT(what, now_ns(clocks[i]) >= deadline);
    }

    /* A deadline in the past returns at once, and zero sleeps are fine. */
    struct timespec past = { 0, 0 };
    printf("TIMER_ABSTIME deadline in the past: %d\n", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &past, NULL));
    printf("nanosleep(0): %d\n", nanosleep(&past, NULL));

    /* Errors. clock_nanosleep returns the error number itself. */
    struct timespec bad = { 0, 1000000000 };
    EXPECT_ERRNO("nanosleep tv_nsec = 1e9", nanosleep(&bad, NULL), EINVAL);
    bad.tv_nsec = -1;
    EXPECT_ERRNO("nanosleep tv_nsec = -1", nanosleep(&bad, NULL), EINVAL);
    bad.tv_sec = -1;
    bad.tv_nsec = 0;
    EXPECT_ERRNO("nanosleep tv_sec = -1", nanosleep(&bad, NULL), EINVAL);
    bad.tv_sec = 0;
    bad.tv_nsec = 1000000000;
    printf("clock_nanosleep tv_nsec = 1e9: %s\n", errno_name(clock_nanosleep(CLOCK_MONOTONIC, 0, &bad, NULL)));
    printf("clock_nanosleep TIMER_ABSTIME tv_nsec = 1e9: %s\n",
           errno_name(clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &bad, NULL)));
    printf("clock_nanosleep on clock 100: %s\n", errno_name(clock_nanosleep(100, 0, &request, NULL)));
    printf("clock_nanosleep on CLOCK_THREAD_CPUTIME_ID: %s\n",
           errno_name(clock_nanosleep(CLOCK_THREAD_CPUTIME_ID, 0, &request, NULL)));
    EXPECT_ERRNO("SYS_nanosleep with an unmapped request", syscall(SYS_nanosleep, (void *)16, NULL), EFAULT);
    EXPECT_ERRNO("SYS_clock_nanosleep with an unmapped request",
                 syscall(SYS_clock_nanosleep, CLOCK_MONOTONIC, 0, (void *)16, NULL), EFAULT);

    /* A handler interrupts a long sleep: EINTR, and the time left is more
     * than zero and less than asked. The timer fires after 50 ms. */
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = SA_RESTART; /* nanosleep is never restarted after a handler */
    OK(sigaction(SIGALRM, &sa, NULL));
    struct itimerval timer = { { 0, 0 }, { 0, 50000 } };
    OK(setitimer(ITIMER_REAL, &timer, NULL));
    request = to_timespec(10000 * ms);
    remaining.tv_sec = remaining.tv_nsec = -1;
    EXPECT_ERRNO("nanosleep(10 s) interrupted by a handler (SA_RESTART)", nanosleep(&request, &remaining), EINTR);
    int64_t const left = (int64_t)remaining.tv_sec * 1000000000 + remaining.tv_nsec;
    EXPECT("the time left is > 0 and < 10 s", left > 0 && left < 10000 * ms && remaining.tv_nsec < 1000000000);

    OK(setitimer(ITIMER_REAL, &timer, NULL));
    remaining.tv_sec = remaining.tv_nsec = -1;
    int r = clock_nanosleep(CLOCK_MONOTONIC, 0, &request, &remaining);
    printf("clock_nanosleep(10 s) interrupted by a handler: %s\n", errno_name(r));
    int64_t const left2 = (int64_t)remaining.tv_sec * 1000000000 + remaining.tv_nsec;
    EXPECT("the time left is > 0 and < 10 s", left2 > 0 && left2 < 10000 * ms);

    /* A stop and continue (no handler runs) do not end the sleep: the
     * child sleeps its full 300 ms and nanosleep returns 0. */
    int ready[2];
    OK(pipe(ready));
    pid_t child = ct_fork();
    if (child == 0) {
        close(ready[0]);
        struct timespec t = to_timespec(300 * ms);
        int64_t const begin = now_ns(CLOCK_MONOTONIC);
        ct_post(ready[1]);
        int result = nanosleep(&t, NULL);
        int64_t const slept = now_ns(CLOCK_MONOTONIC) - begin;
        _exit(result == 0 ? (slept >= 300 * ms ? 0 : 2) : 1);
    }
    close(ready[1]);
    ct_await(ready[0]);
    OK(kill(child, SIGSTOP));
    int status;
    OK(waitpid(child, &status, WUNTRACED));
    printf("child: %s\n", status_text(status));
    OK(kill(child, SIGCONT));
    printf("child (0: slept the full time, 1: nanosleep failed): %s\n", status_text(ct_wait(child)));

    /* The same with clock_nanosleep(TIMER_ABSTIME) on CLOCK_REALTIME. */
    close(ready[0]);
    OK(pipe(ready));
    child = ct_fork();
    if (child == 0) {
        close(ready[0]);
        int64_t const deadline = now_ns(CLOCK_REALTIME) + 300 * ms;
        struct timespec t = to_timespec(deadline);
        ct_post(ready[1]);
        int const result = clock_nanosleep(CLOCK_REALTIME, TIMER_ABSTIME, &t, NULL);
        _exit(result == 0 ? (now_ns(CLOCK_REALTIME) >= deadline ? 0 : 2) : 1);
    }
    close(ready[1]);
    ct_await(ready[0]);
    OK(kill(child, SIGSTOP));
    OK(waitpid(child, &status, WUNTRACED));
    OK(kill(child, SIGCONT));
    printf("absolute sleep across stop/continue: %s\n", status_text(ct_wait(child)));
    ct_pass();
}
