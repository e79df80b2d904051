/* Contract: when a process exits, its children are reparented to the nearest
 * ancestor marked PR_SET_CHILD_SUBREAPER, which can then wait for them. */
#include "contract.h"
#include <sys/prctl.h>

int main(void)
{
    OK(prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0));
    int is_subreaper = 0;
    OK(prctl(PR_GET_CHILD_SUBREAPER, &is_subreaper, 0, 0, 0));
    EXPECT("PR_GET_CHILD_SUBREAPER reports 1", is_subreaper == 1);

    pid_t const me = getpid();
    int go[2], report[2], noted[2];
    OK(pipe(go));
    OK(pipe(report));
    OK(pipe(noted));
    pid_t child = ct_fork();
    if (child == 0) {
        pid_t grandchild = fork();
        if (grandchild < 0) _exit(2);
        if (grandchild == 0) {
            /* Before the middle process exits, it is our parent. */
            pid_t before = getppid();
            ct_post(noted[1]);
            ct_await(go[0]);
            pid_t after = getppid();
            char verdict[2] = { before != me ? 'y' : 'n', after == me ? 'y' : 'n' };
            if (write(report[1], verdict, 2) != 2) _exit(3);
            _exit(9);
        }
        /* Exit only once the grandchild has seen us as its parent. */
        ct_await(noted[0]);
        _exit(0);
    }
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0, "middle process exits 0");
    printf("middle process: %s\n", status_text(status));

    /* The middle process is gone: the grandchild is now ours. */
    ct_post(go[1]);
    char verdict[2];
    CHECK(read(report[0], verdict, 2) == 2, "grandchild reports");
    EXPECT("grandchild's parent was the middle process", verdict[0] == 'y');
    EXPECT("grandchild reparented to the subreaper", verdict[1] == 'y');

    int grand_status;
    pid_t reaped = waitpid(-1, &grand_status, 0);
    CHECK(reaped > 0 && reaped != child, "subreaper waits for the grandchild");
    CHECK(WIFEXITED(grand_status) && WEXITSTATUS(grand_status) == 9, "grandchild exits 9");
    printf("subreaper reaped the grandchild: %s\n", status_text(grand_status));
    EXPECT_ERRNO("no children left", wait(NULL), ECHILD);
    ct_pass();
}
