/* Contract: waitid(P_PID, WEXITED|WNOWAIT) reports a child's exit without
 * reaping it (si_pid, si_code CLD_EXITED, si_status), a later waitid reaps
 * it; a killed child gives CLD_KILLED; WNOHANG with nothing ready returns 0
 * with si_pid left 0. */
#include "contract.h"

int main(void)
{
    int go[2];
    OK(pipe(go));
    pid_t child = ct_fork();
    if (child == 0) {
        ct_await(go[0]);
        _exit(5);
    }
    siginfo_t info;
    memset(&info, 0, sizeof info);
    CHECK(waitid(P_PID, child, &info, WEXITED | WNOHANG) == 0, "waitid WNOHANG returns 0");
    EXPECT("WNOHANG with a running child leaves si_pid 0", info.si_pid == 0);

    ct_post(go[1]);
    memset(&info, 0, sizeof info);
    OK(waitid(P_PID, child, &info, WEXITED | WNOWAIT));
    CHECK(info.si_pid == child, "si_pid is the child");
    CHECK(info.si_signo == SIGCHLD, "si_signo is SIGCHLD");
    CHECK(info.si_code == CLD_EXITED, "si_code is CLD_EXITED");
    CHECK(info.si_status == 5, "si_status is 5");
    printf("WNOWAIT: si_code=CLD_EXITED si_status=%d\n", info.si_status);
    EXPECT("si_uid is our uid", info.si_uid == getuid());

    /* Not reaped: the same child is still waitable. */
    memset(&info, 0, sizeof info);
    OK(waitid(P_ALL, 0, &info, WEXITED));
    CHECK(info.si_pid == child && info.si_code == CLD_EXITED && info.si_status == 5, "second waitid");
    printf("second waitid reaps it: si_status=%d\n", info.si_status);
    EXPECT_ERRNO("third waitid", waitid(P_PID, child, &info, WEXITED), ECHILD);

    /* A killed child, found through its process group. */
    int ready[2];
    OK(pipe(ready));
    child = ct_fork();
    if (child == 0) {
        setpgid(0, 0);
        ct_post(ready[1]);
        for (;;) pause();
    }
    ct_await(ready[0]);
    OK(kill(child, SIGTERM));
    memset(&info, 0, sizeof info);
    OK(waitid(P_PGID, child, &info, WEXITED));
    CHECK(info.si_pid == child && info.si_code == CLD_KILLED && info.si_status == SIGTERM, "killed child");
    printf("killed child: si_code=CLD_KILLED si_status=%s\n", signal_name(info.si_status));

    EXPECT_ERRNO("waitid without WEXITED/WSTOPPED/WCONTINUED", waitid(P_ALL, 0, &info, WNOHANG), EINVAL);
    EXPECT_ERRNO("waitid with bad idtype", waitid((idtype_t)42, 0, &info, WEXITED), EINVAL);
    ct_pass();
}
