/* Contract: a blocking pipe read interrupted by a handler fails with EINTR
 * without SA_RESTART and is transparently restarted with it; poll and
 * nanosleep fail with EINTR even with SA_RESTART. A repeating timer keeps
 * interrupting, so the outcome does not depend on timing. */
#include "contract.h"
#include <poll.h>
#include <sys/time.h>
#include <time.h>

static volatile sig_atomic_t ticks;
static int feed_fd = -1; /* the handler writes here on its third tick */

static void on_alarm(int sig)
{
    (void)sig;
    if (++ticks == 3 && feed_fd >= 0) {
        char c = 'r';
        (void)!write(feed_fd, &c, 1);
    }
}

static void arm(int restart)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = restart ? SA_RESTART : 0;
    OK(sigaction(SIGALRM, &sa, NULL));
    ticks = 0;
    struct itimerval t = { .it_interval = { 0, 5000 }, .it_value = { 0, 5000 } };
    OK(setitimer(ITIMER_REAL, &t, NULL));
}

static void disarm(void)
{
    struct itimerval t;
    memset(&t, 0, sizeof t);
    OK(setitimer(ITIMER_REAL, &t, NULL));
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    OK(sigprocmask(SIG_SETMASK, &none, NULL));
    int p[2];
    OK(pipe(p));
    char c;

    arm(0);
    errno = 0;
    ssize_t n = read(p[0], &c, 1);
    int error = errno;
    disarm();
    printf("read without SA_RESTART: %s\n", n < 0 ? errno_name(error) : "returned data");
    CHECK(n == -1 && error == EINTR, "read fails with EINTR");

    feed_fd = p[1];
    arm(1);
    n = read(p[0], &c, 1);
    error = errno;
    disarm();
    feed_fd = -1;
    CHECK(n == 1 && c == 'r', "read restarted and got the handler's byte");
    printf("read with SA_RESTART: returned %zd byte '%c'\n", n, c);
    EXPECT("the handler ran three times first", ticks >= 3);

    arm(1);
    struct pollfd pfd = { .fd = p[0], .events = POLLIN };
    errno = 0;
    int r = poll(&pfd, 1, -1);
    error = errno;
    disarm();
    printf("poll with SA_RESTART: %s\n", r < 0 ? errno_name(error) : "returned");
    CHECK(r == -1 && error == EINTR, "poll is never restarted");

    arm(1);
    struct timespec ten = { 10, 0 }, left = { 0, 0 };
    errno = 0;
    r = nanosleep(&ten, &left);
    error = errno;
    disarm();
    printf("nanosleep with SA_RESTART: %s\n", r < 0 ? errno_name(error) : "returned");
    CHECK(r == -1 && error == EINTR, "nanosleep is never restarted");
    EXPECT("nanosleep reports time left", left.tv_sec > 0 || left.tv_nsec > 0);
    ct_pass();
}
