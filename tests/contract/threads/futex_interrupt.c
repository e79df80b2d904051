/* Contract: a signal handler interrupting FUTEX_WAIT makes it restart under
 * SA_RESTART (and EINTR without) when it has no timeout, but always EINTR
 * when it has one; a stop and continue, which run no handler, do not end a
 * timed wait before its timeout. */
#include "contract.h"

#include <stdint.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>

#define FUTEX_WAIT 0
#define FUTEX_WAIT_BITSET 9
#define FUTEX_PRIVATE_FLAG 128

static uint32_t word;

static long futex_wait(uint32_t expected, struct timespec const *timeout)
{
    return syscall(SYS_futex, &word, FUTEX_WAIT | FUTEX_PRIVATE_FLAG, expected, timeout, NULL, 0);
}

/* The handler changes the word: a restarted wait then fails with EAGAIN. */
static void on_alarm(int sig)
{
    (void)sig;
    word = 1;
}

static void arm(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_alarm;
    sa.sa_flags = flags;
    OK(sigaction(SIGALRM, &sa, NULL));
    word = 0;
    struct itimerval timer = { { 0, 0 }, { 0, 30000 } };
    OK(setitimer(ITIMER_REAL, &timer, NULL));
}

static int64_t now_ns(void)
{
    struct timespec t;
    OK(clock_gettime(CLOCK_MONOTONIC, &t));
    return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int main(void)
{
    struct timespec ten_seconds = { 10, 0 };

    arm(SA_RESTART);
    EXPECT_ERRNO("untimed FUTEX_WAIT, SA_RESTART handler (restarts, sees the new value)", futex_wait(0, NULL), EAGAIN);
    arm(0);
    EXPECT_ERRNO("untimed FUTEX_WAIT, handler without SA_RESTART", futex_wait(0, NULL), EINTR);
    arm(SA_RESTART);
    EXPECT_ERRNO("timed FUTEX_WAIT, SA_RESTART handler", futex_wait(0, &ten_seconds), EINTR);
    arm(0);
    EXPECT_ERRNO("timed FUTEX_WAIT, handler without SA_RESTART", futex_wait(0, &ten_seconds), EINTR);
    arm(SA_RESTART);
    struct timespec far;
    OK(clock_gettime(CLOCK_MONOTONIC, &far));
    far.tv_sec += 10;
    EXPECT_ERRNO("FUTEX_WAIT_BITSET with a deadline, SA_RESTART handler",
                 syscall(SYS_futex, &word, FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG, 0, &far, NULL, 0xffffffffu), EINTR);

    /* Stopped and continued during a 300 ms wait: ETIMEDOUT after 300 ms. */
    word = 0;
    int ready[2];
    OK(pipe(ready));
    pid_t child = ct_fork();
    if (child == 0) {
        close(ready[0]);
        struct timespec t = { 0, 300 * 1000 * 1000 };
        int64_t const begin = now_ns();
        ct_post(ready[1]);
        long r = futex_wait(0, &t);
        int const error = errno;
        int64_t const waited = now_ns() - begin;
        if (r != -1) _exit(1);
        if (error != ETIMEDOUT) _exit(error == EINTR ? 2 : 3);
        _exit(waited >= 300 * 1000 * 1000 ? 0 : 4);
    }
    close(ready[1]);
    ct_await(ready[0]);
    OK(kill(child, SIGSTOP));
    int status;
    OK(waitpid(child, &status, WUNTRACED));
    OK(kill(child, SIGCONT));
    printf("timed wait across stop/continue (0: ETIMEDOUT after the full time, 2: EINTR): %s\n",
           status_text(ct_wait(child)));
    ct_pass();
}
