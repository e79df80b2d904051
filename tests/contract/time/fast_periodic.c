/* Contract: periodic timers far faster than anything can consume them do
 * not stop the program. A 1 us timerfd counts every period at the next read;
 * a 1 ns POSIX timer whose signal is blocked keeps one signal pending and
 * counts the rest as its overrun; one whose signal is ignored, and a 1 us
 * ITIMER_REAL with SIGALRM ignored, cost nothing. (On Linux they are re-armed
 * when their expiry is consumed; in aramid, re-arming from the interrupt
 * left the CPU nothing but timer interrupts, and the nested interrupt
 * returns overflowed the kernel stack.) */
#include "contract.h"

#include <stdint.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <time.h>

static int64_t now_ns(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

/* About 10 ms of work; returns how long it took. */
static int64_t work(void)
{
    int64_t const start = now_ns();
    volatile unsigned long sink = 0;
    for (long i = 0; i < 10000000; i++) sink += i;
    return now_ns() - start;
}

int main(void)
{
    int fd = OK(timerfd_create(CLOCK_MONOTONIC, 0));
    struct itimerspec fast = { { 0, 1000 }, { 0, 1000 } };
    int64_t const start = now_ns();
    OK(timerfd_settime(fd, 0, &fast, NULL));
    work();
    uint64_t n = 0;
    CHECK(read(fd, &n, sizeof(n)) == 8, "read the timerfd");
    int64_t const elapsed = now_ns() - start;
    EXPECT("a 1 us timerfd counts every period by the next read", n >= (uint64_t)(elapsed / 1000) / 2 && n <= (uint64_t)(elapsed / 1000) + 1);
    struct itimerspec off = { { 0, 0 }, { 0, 0 } };
    OK(timerfd_settime(fd, 0, &off, NULL));

    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN);
    OK(sigprocmask(SIG_BLOCK, &set, NULL));
    struct sigevent event = { 0 };
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = SIGRTMIN;
    timer_t blocked;
    OK(timer_create(CLOCK_MONOTONIC, &event, &blocked));
    struct itimerspec fastest = { { 0, 1 }, { 0, 1 } };
    OK(timer_settime(blocked, 0, &fastest, NULL));
    work();
    siginfo_t info;
    EXPECT("a 1 ns timer with its signal blocked leaves it pending", sigwaitinfo(&set, &info) == SIGRTMIN);
    EXPECT("the periods until then are its overrun", info.si_overrun > 1000);
    OK(timer_delete(blocked));

    signal(SIGRTMIN + 1, SIG_IGN);
    event.sigev_signo = SIGRTMIN + 1;
    timer_t ignored;
    OK(timer_create(CLOCK_MONOTONIC, &event, &ignored));
    OK(timer_settime(ignored, 0, &fastest, NULL));
    work();
    printf("a 1 ns timer with an ignored signal: the work got done\n");
    OK(timer_delete(ignored));

    signal(SIGALRM, SIG_IGN);
    struct itimerval alarm_fast = { { 0, 1 }, { 0, 1 } }, alarm_off = { { 0, 0 }, { 0, 0 } };
    OK(setitimer(ITIMER_REAL, &alarm_fast, NULL));
    work();
    OK(setitimer(ITIMER_REAL, &alarm_off, NULL));
    printf("a 1 us ITIMER_REAL with SIGALRM ignored: the work got done\n");
    ct_pass();
}
