/* Contract: setsid() in a process that is not a group leader creates a new
 * session and group led by it, with getsid/getpgrp equal to its pid; a group
 * leader gets EPERM. */
#include "contract.h"

int main(void)
{
    int ready[2], go[2];
    OK(pipe(ready));
    OK(pipe(go));
    pid_t child = ct_fork();
    if (child == 0) {
        pid_t sid = setsid();
        if (sid != getpid()) _exit(10);
        if (getsid(0) != getpid() || getpgrp() != getpid()) _exit(11);
        /* Now a group leader: a second setsid fails. */
        if (setsid() != -1 || errno != EPERM) _exit(12);
        /* A group leader cannot move itself into another session's group. */
        if (setpgid(0, getppid()) != -1 || errno != EPERM) _exit(13);
        ct_post(ready[1]);
        ct_await(go[0]);
        _exit(0);
    }
    ct_await(ready[0]);
    EXPECT("parent sees the child's new session", getsid(child) == child);
    EXPECT("parent sees the child's new group", getpgid(child) == child);
    EXPECT("parent's session is unchanged", getsid(0) != child);
    EXPECT_ERRNO("moving the child across sessions", setpgid(child, getpgrp()), EPERM);
    ct_post(go[1]);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "child's checks");
    printf("child: %s\n", status_text(status));

    /* A child that made itself a group leader cannot setsid. */
    child = ct_fork();
    if (child == 0) {
        if (setpgid(0, 0) < 0) _exit(10);
        if (setsid() != -1) _exit(11);
        _exit(errno == EPERM ? 0 : 12);
    }
    status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "group leader's setsid fails with EPERM");
    printf("group leader setsid: EPERM\n");
    EXPECT_ERRNO("getsid of no process", getsid(0x3ffffff0), ESRCH);
    ct_pass();
}
