/*
 * Setting the wall clock (which a contract test must not do to its host):
 * a timerfd and a POSIX timer armed for an absolute CLOCK_REALTIME time
 * move with the clock, one armed with TFD_TIMER_CANCEL_ON_SET becomes readable and its next
 * read fails with ECANCELED (once), and CLOCK_MONOTONIC timers do not move.
 * Prints TIMERFD_OK, or what failed.
 */
#include "guest_check.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

static int64_t const ms = 1000000, s = 1000000000;

static int64_t now_ns(clockid_t clock)
{
    struct timespec t;
    clock_gettime(clock, &t);
    return (int64_t)t.tv_sec * s + t.tv_nsec;
}

static void set_clock(int64_t ns)
{
    struct timespec t = { ns / s, ns % s };
    if (clock_settime(CLOCK_REALTIME, &t) != 0) {
        printf("FAIL clock_settime: %d\n", errno);
        exit(1);
    }
}

static void arm(int fd, int flags, int64_t at)
{
    struct itimerspec spec = { { 0, 0 }, { at / s, at % s } };
    if (timerfd_settime(fd, flags, &spec, NULL) != 0) {
        printf("FAIL timerfd_settime: %d\n", errno);
        exit(1);
    }
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return poll(&p, 1, timeout_ms) == 1;
}

int main(void)
{
    require_aramid("it sets the clock");
    int moved = timerfd_create(CLOCK_REALTIME, 0);
    int cancel = timerfd_create(CLOCK_REALTIME, TFD_NONBLOCK);
    int mono = timerfd_create(CLOCK_MONOTONIC, 0);
    int64_t const wall = now_ns(CLOCK_REALTIME), start = now_ns(CLOCK_MONOTONIC);
    arm(moved, TFD_TIMER_ABSTIME, wall + 10 * s);       /* 10 s from now ... */
    arm(cancel, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, wall + 3600 * s);
    arm(mono, 0, 150 * ms);
    sigset_t rt;
    sigemptyset(&rt);
    sigaddset(&rt, SIGRTMIN);
    sigprocmask(SIG_BLOCK, &rt, NULL);
    struct sigevent event = { 0 };
    event.sigev_notify = SIGEV_SIGNAL;
    event.sigev_signo = SIGRTMIN;
    timer_t posix;
    struct itimerspec at = { { 0, 0 }, { (wall + 10 * s) / s, (wall + 10 * s) % s } };
    if (timer_create(CLOCK_REALTIME, &event, &posix) != 0 || timer_settime(posix, TIMER_ABSTIME, &at, NULL) != 0) {
        printf("FAIL timer_create/timer_settime: %d\n", errno);
        return 1;
    }
    uint64_t n;
    CHECK(!readable(cancel, 0) && !readable(moved, 0), "nothing fired yet");

    set_clock(wall + 10 * s - 50 * ms); /* ... is now 50 ms away */
    CHECK(readable(cancel, 0), "CANCEL_ON_SET: readable once the clock is set");
    CHECK(read(cancel, &n, 8) == -1 && errno == ECANCELED, "CANCEL_ON_SET: the read fails with ECANCELED");
    CHECK(read(cancel, &n, 8) == -1 && errno == EAGAIN, "CANCEL_ON_SET: only once");
    CHECK(read(moved, &n, 8) == 8 && n == 1, "the moved timer fires with the clock");
    struct timespec limit = { 2, 0 };
    CHECK(sigtimedwait(&rt, NULL, &limit) == SIGRTMIN, "the POSIX timer fires with the clock too");
    CHECK(now_ns(CLOCK_MONOTONIC) - start < 5 * s, "well before its old time");
    CHECK(read(mono, &n, 8) == 8 && n == 1
           && now_ns(CLOCK_MONOTONIC) - start >= 150 * ms, "the monotonic timer did not move");

    /* It stays armed. (Whether its expiry, due at once after this jump,
     * survives the ECANCELED read depends on which comes first, on Linux
     * too: the read clears the count.) */
    struct itimerspec left;
    CHECK(timerfd_gettime(cancel, &left) == 0 && left.it_value.tv_sec > 3000, "the cancelled timer is still armed");
    set_clock(wall + 3600 * s + 1 * s); /* past its time */
    CHECK(read(cancel, &n, 8) == -1 && errno == ECANCELED, "another clock set is reported again");
    if (failures) return 1;
    printf("TIMERFD_OK\n");
    return 0;
}
