/* Contract: a child's termination sends SIGCHLD to the parent with si_code
 * CLD_EXITED/CLD_KILLED, si_pid and si_status; the handler has run by the time
 * waitpid returns; SA_NOCLDSTOP suppresses SIGCHLD for stops only. */
#include "contract.h"

static volatile sig_atomic_t chld_count;

static void on_chld(int sig)
{
    (void)sig;
    chld_count++;
}

static int count_chld_for_stop(int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = on_chld;
    sa.sa_flags = flags;
    OK(sigaction(SIGCHLD, &sa, NULL));
    chld_count = 0;
    int ready[2];
    OK(pipe(ready));
    pid_t child = ct_fork();
    if (child == 0) {
        ct_post(ready[1]);
        for (;;) pause();
    }
    ct_await(ready[0]);
    close(ready[0]);
    close(ready[1]);
    OK(kill(child, SIGSTOP));
    int status;
    while (waitpid(child, &status, WUNTRACED) < 0)
        CHECK(errno == EINTR, "waitpid WUNTRACED");
    CHECK(WIFSTOPPED(status), "child stopped");
    int on_stop = chld_count;
    OK(kill(child, SIGKILL));
    status = ct_wait(child);
    CHECK(WIFSIGNALED(status), "child killed");
    return on_stop;
}

int main(void)
{
    sigset_t chld, none;
    sigemptyset(&none);
    OK(sigprocmask(SIG_SETMASK, &none, NULL));
    sigemptyset(&chld);
    sigaddset(&chld, SIGCHLD);
    OK(sigprocmask(SIG_BLOCK, &chld, NULL));

    pid_t child = ct_fork();
    if (child == 0) _exit(4);
    siginfo_t info;
    CHECK(sigwaitinfo(&chld, &info) == SIGCHLD, "sigwaitinfo returns SIGCHLD");
    CHECK(info.si_code == CLD_EXITED && info.si_status == 4, "CLD_EXITED, status 4");
    printf("exit: si_code=CLD_EXITED si_status=%d\n", info.si_status);
    EXPECT("si_pid is the child", info.si_pid == child);
    ct_wait(child);

    int ready[2];
    OK(pipe(ready));
    child = ct_fork();
    if (child == 0) {
        ct_post(ready[1]);
        for (;;) pause();
    }
    ct_await(ready[0]);
    OK(kill(child, SIGKILL));
    CHECK(sigwaitinfo(&chld, &info) == SIGCHLD, "sigwaitinfo returns SIGCHLD");
    CHECK(info.si_code == CLD_KILLED && info.si_status == SIGKILL, "CLD_KILLED");
    printf("kill: si_code=CLD_KILLED si_status=%s\n", signal_name(info.si_status));
    ct_wait(child);

    /* With a handler and SIGCHLD unblocked. */
    signal(SIGCHLD, on_chld);
    OK(sigprocmask(SIG_UNBLOCK, &chld, NULL));
    child = ct_fork();
    if (child == 0) _exit(0);
    ct_wait(child);
    EXPECT("handler ran before waitpid returned", chld_count == 1);

    printf("SIGCHLDs on stop without SA_NOCLDSTOP: %d\n", count_chld_for_stop(0));
    printf("SIGCHLDs on stop with SA_NOCLDSTOP: %d\n", count_chld_for_stop(SA_NOCLDSTOP));
    ct_pass();
}
