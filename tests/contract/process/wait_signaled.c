/* Contract: a child terminated by a signal is reported as WIFSIGNALED with
 * WTERMSIG naming the signal, whether it came from kill() or raise(). */
#include "contract.h"

int main(void)
{
    static int const signals[] = { SIGKILL, SIGTERM, SIGUSR1, SIGHUP, SIGALRM };
    for (unsigned i = 0; i < sizeof signals / sizeof signals[0]; i++) {
        int ready[2];
        OK(pipe(ready));
        pid_t pid = ct_fork();
        if (pid == 0) {
            signal(signals[i], SIG_DFL);
            close(ready[0]);
            ct_post(ready[1]);
            for (;;) pause();
        }
        close(ready[1]);
        ct_await(ready[0]);
        close(ready[0]);
        OK(kill(pid, signals[i]));
        int status = ct_wait(pid);
        CHECK(WIFSIGNALED(status) && !WIFEXITED(status), "WIFSIGNALED");
        CHECK(WTERMSIG(status) == signals[i], "WTERMSIG");
        printf("kill(%s): %s\n", signal_name(signals[i]), status_text(status));
    }

    pid_t pid = ct_fork();
    if (pid == 0) {
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
        _exit(0);
    }
    int status = ct_wait(pid);
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM, "raise(SIGTERM) kills");
    printf("raise(SIGTERM): %s\n", status_text(status));
    ct_pass();
}
