/* Contract: a blocked signal stays pending (sigpending shows it), standard
 * signals do not queue (two sends, one delivery), the pending signal is
 * delivered before the unblocking sigprocmask returns, and SIGKILL/SIGSTOP
 * cannot be blocked. */
#include "contract.h"

static volatile sig_atomic_t count;

static void on_signal(int sig)
{
    (void)sig;
    count++;
}

int main(void)
{
    signal(SIGUSR1, on_signal);
    sigset_t set, old, pending;
    sigemptyset(&set);
    OK(sigprocmask(SIG_SETMASK, &set, NULL));
    sigaddset(&set, SIGUSR1);
    OK(sigprocmask(SIG_BLOCK, &set, &old));
    EXPECT("old mask did not contain SIGUSR1", !sigismember(&old, SIGUSR1));

    sigemptyset(&pending);
    OK(sigpending(&pending));
    EXPECT("nothing pending at first", !sigismember(&pending, SIGUSR1));

    OK(kill(getpid(), SIGUSR1));
    OK(kill(getpid(), SIGUSR1));
    EXPECT("handler not run while blocked", count == 0);
    OK(sigpending(&pending));
    EXPECT("SIGUSR1 pending", sigismember(&pending, SIGUSR1));
    EXPECT("SIGUSR2 not pending", !sigismember(&pending, SIGUSR2));

    OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    printf("after unblock: handler ran %d time(s)\n", (int)count);
    CHECK(count == 1, "standard signals do not queue");
    OK(sigpending(&pending));
    EXPECT("nothing pending after delivery", !sigismember(&pending, SIGUSR1));

    /* The process-wide (kill) and the thread's own (raise/tgkill) pending
     * sets are separate: one of each is two deliveries. */
    OK(sigprocmask(SIG_BLOCK, &set, NULL));
    OK(kill(getpid(), SIGUSR1));
    OK(raise(SIGUSR1));
    OK(raise(SIGUSR1));
    OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    printf("kill + raise + raise while blocked: handler ran %d time(s)\n", (int)count - 1);
    CHECK(count == 3, "process and thread pending sets are separate");
    count = 1;

    /* A pending signal that becomes ignored is discarded. */
    OK(sigprocmask(SIG_BLOCK, &set, NULL));
    OK(kill(getpid(), SIGUSR1));
    signal(SIGUSR1, SIG_IGN);
    OK(sigpending(&pending));
    EXPECT("setting SIG_IGN discards the pending signal", !sigismember(&pending, SIGUSR1));
    signal(SIGUSR1, on_signal);
    OK(sigprocmask(SIG_UNBLOCK, &set, NULL));
    EXPECT("and it is never delivered", count == 1);

    /* SIGKILL and SIGSTOP are silently left out of the mask. */
    sigset_t all, now;
    sigfillset(&all);
    OK(sigprocmask(SIG_SETMASK, &all, NULL));
    OK(sigprocmask(SIG_SETMASK, NULL, &now));
    EXPECT("SIGKILL cannot be blocked", !sigismember(&now, SIGKILL));
    EXPECT("SIGSTOP cannot be blocked", !sigismember(&now, SIGSTOP));
    EXPECT("SIGTERM can be blocked", sigismember(&now, SIGTERM));
    sigemptyset(&set);
    OK(sigprocmask(SIG_SETMASK, &set, NULL));
    EXPECT_ERRNO("sigprocmask with a bad how", sigprocmask(42, &set, NULL), EINVAL);
    ct_pass();
}
