/* Contract: kill(pid, 0) checks existence and permission without sending:
 * 0 for ourselves, a live child and a zombie; ESRCH once reaped; EPERM for an
 * unprivileged sender towards root; invalid signal numbers are EINVAL. */
#include "contract.h"

int main(void)
{
    EXPECT("kill(self, 0) succeeds", kill(getpid(), 0) == 0);
    EXPECT("kill(0, 0) succeeds (own group)", kill(0, 0) == 0);
    EXPECT_ERRNO("kill(self, 65)", kill(getpid(), 65), EINVAL);
    EXPECT_ERRNO("kill(self, -1)", kill(getpid(), -1), EINVAL);
    EXPECT_ERRNO("kill(no such pid, 0)", kill(0x3ffffff0, 0), ESRCH);

    int go[2], done[2];
    OK(pipe(go));
    OK(pipe(done));
    pid_t child = ct_fork();
    if (child == 0) {
        close(done[0]);
        ct_await(go[0]);
        _exit(0);
    }
    close(done[1]);
    EXPECT("kill(live child, 0) succeeds", kill(child, 0) == 0);
    ct_post(go[1]);
    char c;
    CHECK(read(done[0], &c, 1) == 0, "child exited");
    siginfo_t info;
    memset(&info, 0, sizeof info);
    OK(waitid(P_PID, child, &info, WEXITED | WNOWAIT));
    EXPECT("kill(zombie, 0) succeeds", kill(child, 0) == 0);
    ct_wait(child);
    EXPECT_ERRNO("kill(reaped child, 0)", kill(child, 0), ESRCH);

    /* An unprivileged process may not signal root's process. */
    pid_t const parent = getpid();
    child = ct_fork();
    if (child == 0) {
        ct_become_user(1000);
        if (kill(parent, 0) != -1) _exit(10);
        if (errno != EPERM) _exit(11);
        if (kill(getpid(), 0) != 0) _exit(12);
        _exit(0);
    }
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "uid 1000 gets EPERM signalling root");
    printf("uid 1000 kill(root's pid, 0): EPERM\n");
    ct_pass();
}
