/* Contract: sigsuspend replaces the mask while waiting, returns -1/EINTR
 * after a handler ran, and restores the previous mask; signals still blocked
 * by the temporary mask stay pending. */
#include "contract.h"

static volatile sig_atomic_t usr1, usr2;

static void on_usr1(int sig) { (void)sig; usr1++; }
static void on_usr2(int sig) { (void)sig; usr2++; }

int main(void)
{
    signal(SIGUSR1, on_usr1);
    signal(SIGUSR2, on_usr2);
    sigset_t block, empty, only_usr1, now, pending;
    sigemptyset(&empty);
    sigemptyset(&block);
    sigaddset(&block, SIGUSR1);
    sigaddset(&block, SIGUSR2);
    sigemptyset(&only_usr1);
    sigaddset(&only_usr1, SIGUSR1);
    OK(sigprocmask(SIG_SETMASK, &block, NULL));

    /* A child sends SIGUSR1 after we are (or are about to be) suspended:
     * it is blocked until sigsuspend unblocks it, so no race. */
    pid_t child = ct_fork();
    if (child == 0) _exit(kill(getppid(), SIGUSR1) == 0 ? 0 : 1);
    errno = 0;
    int r = sigsuspend(&empty);
    CHECK(r == -1 && errno == EINTR, "sigsuspend returns EINTR");
    printf("sigsuspend: %s, SIGUSR1 handler ran %d time(s)\n", errno_name(errno), (int)usr1);
    CHECK(usr1 == 1, "SIGUSR1 handled once");
    OK(sigprocmask(SIG_SETMASK, NULL, &now));
    EXPECT("mask restored: SIGUSR1 blocked again", sigismember(&now, SIGUSR1));
    EXPECT("mask restored: SIGUSR2 blocked again", sigismember(&now, SIGUSR2));
    ct_wait(child);

    /* SIGUSR1 pending but kept blocked by the temporary mask; SIGUSR2 wakes. */
    OK(raise(SIGUSR1));
    child = ct_fork();
    if (child == 0) _exit(kill(getppid(), SIGUSR2) == 0 ? 0 : 1);
    r = sigsuspend(&only_usr1);
    CHECK(r == -1 && errno == EINTR, "second sigsuspend returns EINTR");
    printf("second sigsuspend: SIGUSR2 handled %d, SIGUSR1 handled %d\n", (int)usr2, (int)usr1);
    CHECK(usr2 == 1 && usr1 == 1, "only SIGUSR2 handled");
    OK(sigpending(&pending));
    EXPECT("SIGUSR1 still pending", sigismember(&pending, SIGUSR1));
    ct_wait(child);

    r = sigsuspend(&empty);
    CHECK(r == -1 && errno == EINTR, "third sigsuspend returns at once");
    printf("third sigsuspend: SIGUSR1 handled %d\n", (int)usr1);
    CHECK(usr1 == 2, "pending SIGUSR1 delivered");
    ct_pass();
}
