/* Contract: a child starts in its parent's process group; setpgid(0, 0)
 * makes it a group leader; a parent may move its child into that group;
 * setpgid and getpgid report ESRCH/EPERM/EINVAL as documented. */
#include "contract.h"

int main(void)
{
    pid_t const my_group = getpgrp();
    CHECK(getpgid(0) == my_group, "getpgid(0) == getpgrp()");
    CHECK(getpgid(getpid()) == my_group, "getpgid(getpid()) == getpgrp()");

    int ready[2], go[2];
    OK(pipe(ready));
    OK(pipe(go));
    pid_t child = ct_fork();
    if (child == 0) {
        if (getpgrp() != my_group) _exit(10);
        if (setpgid(0, 0) < 0) _exit(11);
        if (getpgrp() != getpid()) _exit(12);
        ct_post(ready[1]);
        ct_await(go[0]);
        _exit(0);
    }
    ct_await(ready[0]);
    EXPECT("child is leader of its own group", getpgid(child) == child);

    /* A second child joins the first child's group (same session). */
    pid_t second = ct_fork();
    if (second == 0) {
        ct_await(go[0]);
        _exit(getpgrp() == child ? 0 : 13);
    }
    OK(setpgid(second, child));
    EXPECT("parent moved the second child into that group", getpgid(second) == child);
    EXPECT_ERRNO("setpgid to a group that does not exist", setpgid(second, 0x3ffffff0), EPERM);
    EXPECT_ERRNO("setpgid negative pgid", setpgid(second, -1), EINVAL);
    EXPECT_ERRNO("setpgid of a non-child", setpgid(0x3ffffff0, 0), ESRCH);
    EXPECT_ERRNO("getpgid of no process", getpgid(0x3ffffff0), ESRCH);

    ct_post(go[1]);
    ct_post(go[1]);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "first child's checks");
    printf("first child: %s\n", status_text(status));
    status = ct_wait(second);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "second child's checks");
    printf("second child: %s\n", status_text(status));
    ct_pass();
}
