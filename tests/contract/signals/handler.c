/* Contract: a handler installed with sigaction runs with the signal number
 * when the signal is sent to the process, before kill() returns; sigaction
 * reports the installed action; SIGKILL/SIGSTOP and bad numbers are EINVAL. */
#include "contract.h"

static volatile sig_atomic_t count, last;

static void on_signal(int sig)
{
    count++;
    last = sig;
}

int main(void)
{
    sigset_t none;
    sigemptyset(&none);
    OK(sigprocmask(SIG_SETMASK, &none, NULL));

    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_signal;
    sa.sa_flags = SA_RESTART;
    OK(sigaction(SIGUSR1, &sa, &old));
    EXPECT("previous action was SIG_DFL", old.sa_handler == SIG_DFL);

    OK(kill(getpid(), SIGUSR1));
    CHECK(count == 1 && last == SIGUSR1, "handler ran once with SIGUSR1");
    printf("after kill: handler ran %d time(s) with %s\n", (int)count, signal_name(last));
    OK(raise(SIGUSR1));
    printf("after raise: handler ran %d time(s)\n", (int)count);
    CHECK(count == 2, "raise runs the handler");

    memset(&old, 0, sizeof old);
    OK(sigaction(SIGUSR1, NULL, &old));
    EXPECT("sigaction reports the handler", old.sa_handler == on_signal);
    EXPECT("sigaction reports SA_RESTART", (old.sa_flags & SA_RESTART) != 0);

    /* The same handler serves several signals. */
    OK(sigaction(SIGUSR2, &sa, NULL));
    OK(kill(getpid(), SIGUSR2));
    printf("SIGUSR2: handler ran with %s\n", signal_name(last));
    CHECK(last == SIGUSR2 && count == 3, "handler for SIGUSR2");

    /* SIG_IGN discards; SIG_DFL for SIGUSR1 would kill, so only check IGN. */
    sa.sa_handler = SIG_IGN;
    OK(sigaction(SIGUSR1, &sa, NULL));
    OK(kill(getpid(), SIGUSR1));
    EXPECT("ignored signal does not run the handler", count == 3);

    EXPECT_ERRNO("sigaction(SIGKILL)", sigaction(SIGKILL, &sa, NULL), EINVAL);
    EXPECT_ERRNO("sigaction(SIGSTOP)", sigaction(SIGSTOP, &sa, NULL), EINVAL);
    EXPECT_ERRNO("sigaction(0)", sigaction(0, &sa, NULL), EINVAL);
    EXPECT_ERRNO("sigaction(65)", sigaction(65, &sa, NULL), EINVAL);
    EXPECT("querying SIGKILL's action is allowed", sigaction(SIGKILL, NULL, &old) == 0 && old.sa_handler == SIG_DFL);
    ct_pass();
}
