/*
 * Timers of every kind, many at once, with random (and absurd) values,
 * while the program works, sleeps, polls and sets the wall clock: timerfds,
 * POSIX timers with every notification, interval timers, in a few forked
 * children too. Deterministic (fixed seed). The kernel must not panic and
 * the program must keep making progress; it prints TORTURE_DONE at the end.
 */
#include "guest_check.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/time.h>
#include <sys/timerfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t state = 0x243f6a8885a308d3ull;
static uint64_t next(void)
{
    state ^= state << 13;
    state ^= state >> 7;
    state ^= state << 17;
    return state;
}

/* Mostly short, sometimes zero, tiny or huge. A timer whose signal runs a
 * handler gets no tiny interval: a handler every microsecond leaves a
 * program no time for anything else on Linux too. */
static struct timespec random_time(int tiny)
{
    static const long ns[] = { 0, 1, 999, 1000, 50000, 1000000, 4000000, 999999999 };
    struct timespec t = { 0, ns[tiny ? next() % 8 : 4 + next() % 4] };
    if (next() % 16 == 0) t.tv_sec = (time_t)(next() % 3);
    if (next() % 64 == 0) t.tv_sec = (time_t)1 << 40;
    return t;
}

static volatile sig_atomic_t g_signals;
static void on_signal(int sig) { (void)sig; g_signals++; }

static void torture(int rounds)
{
    int fds[64];
    timer_t timers[64];
    int nfds = 0, ntimers = 0;
    clockid_t const clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME };
    for (int r = 0; r < rounds; r++) {
        switch (next() % 10) {
        case 0:
            if (nfds < 64) {
                int fd = timerfd_create(clocks[next() % 3], (next() % 2) ? TFD_NONBLOCK : 0);
                if (fd >= 0) fds[nfds++] = fd;
            }
            break;
        case 1:
            if (nfds) {
                struct itimerspec spec = { random_time(1), random_time(1) };
                int flags = (int)(next() % 4); /* ABSTIME, CANCEL_ON_SET */
                timerfd_settime(fds[next() % nfds], flags, &spec, NULL);
            }
            break;
        case 2:
            if (nfds) {
                /* Read only what is ready: a blocking read could wait for ever. */
                int fd = fds[next() % nfds];
                struct pollfd p = { fd, POLLIN, 0 };
                uint64_t n;
                if (poll(&p, 1, (int)(next() % 3)) == 1) read(fd, &n, sizeof n);
            }
            break;
        case 3:
            if (ntimers < 64) {
                struct sigevent ev = { 0 };
                static const int notify[] = { SIGEV_SIGNAL, SIGEV_NONE, SIGEV_SIGNAL };
                ev.sigev_notify = notify[next() % 3];
                ev.sigev_signo = (next() % 2) ? SIGRTMIN + 3 : SIGUSR1;
                static const clockid_t timer_clocks[] = { CLOCK_MONOTONIC, CLOCK_REALTIME, CLOCK_BOOTTIME,
                                                          CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID };
                if (timer_create(timer_clocks[next() % 5], &ev, &timers[ntimers]) == 0) ntimers++;
            }
            break;
        case 4:
            if (ntimers) {
                struct itimerspec spec = { random_time(0), random_time(1) };
                timer_settime(timers[next() % ntimers], (int)(next() % 2), &spec, NULL);
            }
            break;
        case 5:
            if (ntimers && next() % 4 == 0) {
                int i = (int)(next() % ntimers);
                timer_delete(timers[i]);
                timers[i] = timers[--ntimers];
            }
            break;
        case 6: {
            struct itimerval v = { { 0, 100 + (long)(next() % 3) * 1000 }, { 0, (long)(next() % 2000) } };
            setitimer((int)(next() % 3), &v, NULL);
            break;
        }
        case 7: {
            struct timespec t = { 0, (long)(next() % 200000) };
            nanosleep(&t, NULL);
            break;
        }
        case 8:
            if (next() % 8 == 0) {
                struct timespec now;
                clock_gettime(CLOCK_REALTIME, &now);
                now.tv_sec += (time_t)(next() % 5) - 2; /* the guest's own clock */
                clock_settime(CLOCK_REALTIME, &now);
            }
            break;
        case 9: {
            sigset_t set;
            sigemptyset(&set);
            sigaddset(&set, SIGRTMIN + 3);
            sigprocmask((next() % 2) ? SIG_BLOCK : SIG_UNBLOCK, &set, NULL);
            volatile unsigned long sink = 0;
            for (int i = 0; i < 20000; i++) sink += (unsigned long)i;
            break;
        }
        }
    }
    struct itimerval off = { { 0, 0 }, { 0, 0 } };
    for (int which = 0; which < 3; which++) setitimer(which, &off, NULL);
}

int main(int argc, char **argv)
{
    require_aramid("it sets the clock");
    int const rounds = argc > 1 ? atoi(argv[1]) : 3000;
    struct sigaction sa = { 0 };
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    sigaction(SIGALRM, &sa, NULL);
    sigaction(SIGVTALRM, &sa, NULL);
    sigaction(SIGPROF, &sa, NULL);
    sigaction(SIGUSR1, &sa, NULL);
    sigaction(SIGRTMIN + 3, &sa, NULL);
    for (int child = 0; child < 4; child++) {
        fflush(stdout);
        pid_t pid = fork();
        if (pid == 0) {
            state += (uint64_t)child * 0x9e3779b97f4a7c15ull;
            torture(rounds);
            _exit(0);
        }
        int status;
        if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) || WEXITSTATUS(status) != 0) {
            printf("child %d: status %#x\n", child, status);
            return 1;
        }
    }
    torture(rounds);
    printf("TORTURE_DONE (%d signals handled)\n", (int)g_signals);
    return 0;
}
