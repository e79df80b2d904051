/* Contract: SIGSTOP stops a child (waitpid WUNTRACED: WIFSTOPPED/SIGSTOP,
 * waitid: CLD_STOPPED), SIGCONT resumes it (WCONTINUED: WIFCONTINUED) and
 * runs its SIGCONT handler, and each state change is reported once. */
#include "contract.h"

static int cont_fd;

static void on_cont(int sig)
{
    (void)sig;
    char c = 'c';
    (void)!write(cont_fd, &c, 1);
}

int main(void)
{
    int ready[2], conts[2];
    OK(pipe(ready));
    OK(pipe(conts));
    pid_t child = ct_fork();
    if (child == 0) {
        cont_fd = conts[1];
        signal(SIGCONT, on_cont);
        ct_post(ready[1]);
        for (;;) pause();
    }
    ct_await(ready[0]);

    int status;
    OK(kill(child, SIGSTOP));
    CHECK(waitpid(child, &status, WUNTRACED) == child, "waitpid WUNTRACED");
    printf("after SIGSTOP: %s\n", status_text(status));
    CHECK(WIFSTOPPED(status) && WSTOPSIG(status) == SIGSTOP, "stopped by SIGSTOP");
    EXPECT("the stop is reported once", waitpid(child, &status, WUNTRACED | WNOHANG) == 0);

    OK(kill(child, SIGCONT));
    CHECK(waitpid(child, &status, WCONTINUED) == child, "waitpid WCONTINUED");
    printf("after SIGCONT: %s\n", status_text(status));
    CHECK(WIFCONTINUED(status), "WIFCONTINUED");
    ct_await(conts[0]);
    printf("SIGCONT handler ran: yes\n");
    EXPECT("the continue is reported once", waitpid(child, &status, WCONTINUED | WNOHANG) == 0);

    OK(kill(child, SIGSTOP));
    siginfo_t info;
    memset(&info, 0, sizeof info);
    OK(waitid(P_PID, child, &info, WSTOPPED));
    CHECK(info.si_code == CLD_STOPPED && info.si_status == SIGSTOP, "waitid CLD_STOPPED");
    printf("waitid: si_code=CLD_STOPPED si_status=%s\n", signal_name(info.si_status));

    /* A stopped process still dies of SIGKILL. */
    OK(kill(child, SIGKILL));
    status = ct_wait(child);
    printf("SIGKILL while stopped: %s\n", status_text(status));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL, "killed by SIGKILL");
    ct_pass();
}
