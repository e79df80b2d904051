/* Contract: timerfd_create/settime/gettime. A one-shot timer reads as one
 * expiry (8 bytes; a shorter buffer is EINVAL, a non-blocking read before it
 * fires EAGAIN), a periodic one counts every period that passed, poll and
 * epoll see it readable once it fired, settime returns the old setting and
 * a zero value disarms it, absolute times work on CLOCK_MONOTONIC and
 * CLOCK_REALTIME (one in the past fires at once), and bad arguments give
 * Linux's errnos. */
#include "contract.h"

#include <poll.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/timerfd.h>
#include <time.h>

static int64_t const ms = 1000000;

static int64_t now_ns(clockid_t clock)
{
    struct timespec t;
    OK(clock_gettime(clock, &t));
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

static struct timespec ts(int64_t ns) { return (struct timespec) { ns / 1000000000, ns % 1000000000 }; }
static int64_t ns_of(struct timespec t) { return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec; }

static void set(int fd, int flags, int64_t value, int64_t interval)
{
    struct itimerspec spec = { ts(interval), ts(value) };
    OK(timerfd_settime(fd, flags, &spec, NULL));
}

static uint64_t read_expirations(int fd)
{
    uint64_t n = 0;
    CHECK(read(fd, &n, sizeof(n)) == 8, "read 8 bytes from a timerfd");
    return n;
}

static int readable(int fd, int timeout_ms)
{
    struct pollfd p = { fd, POLLIN, 0 };
    return OK(poll(&p, 1, timeout_ms)) == 1 && (p.revents & POLLIN);
}

int main(void)
{
    EXPECT_ERRNO("timerfd_create with an unknown clock", timerfd_create(12345, 0), EINVAL);
    EXPECT_ERRNO("timerfd_create with CLOCK_PROCESS_CPUTIME_ID", timerfd_create(CLOCK_PROCESS_CPUTIME_ID, 0), EINVAL);
    EXPECT_ERRNO("timerfd_create with unknown flags", timerfd_create(CLOCK_MONOTONIC, 0x10), EINVAL);
    int fd = OK(timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC));
    EXPECT("TFD_CLOEXEC sets FD_CLOEXEC", OK(fcntl(fd, F_GETFD)) & FD_CLOEXEC);
    EXPECT("it is open for reading and writing", (OK(fcntl(fd, F_GETFL)) & O_ACCMODE) == O_RDWR);
    uint64_t one = 1;
    EXPECT_ERRNO("a write", write(fd, &one, sizeof(one)), EINVAL);

    struct itimerspec spec = { ts(0), ts(10 * ms) }, old;
    EXPECT_ERRNO("timerfd_settime on a closed descriptor", timerfd_settime(999, 0, &spec, NULL), EBADF);
    int pipes[2];
    OK(pipe(pipes));
    EXPECT_ERRNO("timerfd_settime on a pipe", timerfd_settime(pipes[0], 0, &spec, NULL), EINVAL);
    EXPECT_ERRNO("timerfd_gettime on a pipe", timerfd_gettime(pipes[0], &old), EINVAL);
    EXPECT_ERRNO("timerfd_settime with unknown flags", timerfd_settime(fd, 0x100, &spec, NULL), EINVAL);
    struct itimerspec bad = { ts(0), { 0, 1000000000 } };
    EXPECT_ERRNO("timerfd_settime with tv_nsec of a whole second", timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    bad = (struct itimerspec) { ts(0), { -1, 0 } };
    EXPECT_ERRNO("timerfd_settime with a negative time", timerfd_settime(fd, 0, &bad, NULL), EINVAL);
    EXPECT_ERRNO("timerfd_settime with a bad pointer", timerfd_settime(fd, 0, (void *)16, NULL), EFAULT);
    EXPECT_ERRNO("timerfd_gettime with a bad pointer", timerfd_gettime(fd, (void *)16), EFAULT);

    OK(timerfd_gettime(fd, &old));
    EXPECT("a new timer is disarmed", ns_of(old.it_value) == 0 && ns_of(old.it_interval) == 0);

    /* One shot. */
    int64_t start = now_ns(CLOCK_MONOTONIC);
    set(fd, 0, 30 * ms, 0);
    OK(timerfd_gettime(fd, &old));
    EXPECT("gettime: the time left is at most the value", ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 30 * ms);
    EXPECT("gettime: a one-shot timer has no interval", ns_of(old.it_interval) == 0);
    EXPECT("not readable before it fires", !readable(fd, 0));
    uint64_t small = 0;
    EXPECT_ERRNO("a read of 4 bytes", read(fd, &small, 4), EINVAL);
    EXPECT("a blocking read returns one expiry", read_expirations(fd) == 1);
    EXPECT("not before the time", now_ns(CLOCK_MONOTONIC) - start >= 30 * ms);
    OK(timerfd_gettime(fd, &old));
    EXPECT("an expired one-shot timer reads as disarmed", ns_of(old.it_value) == 0);

    /* Non-blocking. */
    int nb = OK(timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK));
    EXPECT("TFD_NONBLOCK sets O_NONBLOCK", OK(fcntl(nb, F_GETFL)) & O_NONBLOCK);
    uint64_t n;
    EXPECT_ERRNO("a non-blocking read of a disarmed timer", read(nb, &n, sizeof(n)), EAGAIN);
    set(nb, 0, 10 * ms, 0);
    EXPECT_ERRNO("a non-blocking read before it fires", read(nb, &n, sizeof(n)), EAGAIN);
    EXPECT("poll sees it fire", readable(nb, 1000));
    EXPECT("then one expiry is read", read_expirations(nb) == 1);
    EXPECT_ERRNO("and the count is back to zero", read(nb, &n, sizeof(n)), EAGAIN);

    /* Periodic: every period counts, read or not. */
    start = now_ns(CLOCK_MONOTONIC);
    set(fd, 0, 5 * ms, 5 * ms);
    struct timespec pause = ts(52 * ms);
    nanosleep(&pause, NULL);
    uint64_t const counted = read_expirations(fd);
    int64_t const elapsed = now_ns(CLOCK_MONOTONIC) - start;
    EXPECT("a 5 ms timer counts every period that passed",
        counted >= 10 && (int64_t)counted <= elapsed / (5 * ms));
    OK(timerfd_gettime(fd, &old));
    EXPECT("gettime: the interval", ns_of(old.it_interval) == 5 * ms);
    EXPECT("gettime: the time left is within a period", ns_of(old.it_value) > 0 && ns_of(old.it_value) <= 5 * ms);

    /* settime returns the old setting; a zero value disarms. */
    spec = (struct itimerspec) { ts(0), ts(0) };
    OK(timerfd_settime(fd, 0, &spec, &old));
    EXPECT("settime returns the old interval", ns_of(old.it_interval) == 5 * ms);
    EXPECT("a zero value disarms", !readable(fd, 30));
    set(fd, 0, 10 * ms, 0);
    set(fd, 0, 0, 0);
    EXPECT("disarming before it fires cancels it", !readable(fd, 30));

    /* Absolute times. */
    start = now_ns(CLOCK_MONOTONIC);
    set(fd, TFD_TIMER_ABSTIME, start + 20 * ms, 0);
    EXPECT("an absolute CLOCK_MONOTONIC time fires", read_expirations(fd) == 1);
    EXPECT("not before that time", now_ns(CLOCK_MONOTONIC) >= start + 20 * ms);
    set(fd, TFD_TIMER_ABSTIME, 1, 0);
    EXPECT("an absolute time in the past fires at once", readable(fd, 1000) && read_expirations(fd) == 1);
    int wall = OK(timerfd_create(CLOCK_REALTIME, 0));
    int64_t const wall_start = now_ns(CLOCK_REALTIME);
    set(wall, TFD_TIMER_ABSTIME | TFD_TIMER_CANCEL_ON_SET, wall_start + 20 * ms, 0);
    EXPECT("an absolute CLOCK_REALTIME time fires", read_expirations(wall) == 1);
    EXPECT("not before that wall-clock time", now_ns(CLOCK_REALTIME) >= wall_start + 20 * ms);

    /* epoll. */
    int ep = OK(epoll_create1(0));
    struct epoll_event event = { EPOLLIN, { .u64 = 7 } };
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, nb, &event));
    set(nb, 0, 10 * ms, 0);
    struct epoll_event got;
    EXPECT("epoll_wait wakes when the timer fires", OK(epoll_wait(ep, &got, 1, 1000)) == 1 && got.data.u64 == 7);
    read_expirations(nb);
    EXPECT("and not again once it is read", OK(epoll_wait(ep, &got, 1, 20)) == 0);

    /* A fork shares the timer; closing one descriptor keeps it. */
    set(fd, 0, 10 * ms, 0);
    pid_t pid = ct_fork();
    if (pid == 0) _exit(read_expirations(fd) == 1 ? 0 : 1);
    int status;
    OK(waitpid(pid, &status, 0));
    EXPECT("a child reads the parent's timer", WIFEXITED(status) && WEXITSTATUS(status) == 0);
    close(fd);
    close(nb);
    close(wall);
    ct_pass();
}
