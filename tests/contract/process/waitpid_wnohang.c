/* Contract: waitpid(WNOHANG) returns 0 while a child is still running, then
 * its pid once it has exited; with no children it fails with ECHILD. */
#include "contract.h"

int main(void)
{
    EXPECT_ERRNO("WNOHANG with no children", waitpid(-1, NULL, WNOHANG), ECHILD);

    int go[2], done[2];
    OK(pipe(go));
    OK(pipe(done));
    pid_t child = ct_fork();
    if (child == 0) {
        close(done[0]);
        ct_await(go[0]);
        _exit(5);
    }
    close(done[1]);
    int status = -1;
    pid_t r = waitpid(child, &status, WNOHANG);
    CHECK(r == 0, "WNOHANG on a running child returns 0");
    printf("WNOHANG on a running child: returned 0\n");
    r = waitpid(-1, &status, WNOHANG);
    CHECK(r == 0, "WNOHANG(-1) on a running child returns 0");

    ct_post(go[1]);
    /* The child's end of `done` closes when it exits: EOF means exited. */
    char c;
    CHECK(read(done[0], &c, 1) == 0, "EOF once the child exits");
    /* Exited is not yet reaped; a blocking wait now must not block long. */
    r = waitpid(child, &status, 0);
    CHECK(r == child, "waitpid returns the child");
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 5, "exit status 5");
    printf("after exit: %s\n", status_text(status));
    EXPECT_ERRNO("WNOHANG after reaping", waitpid(child, NULL, WNOHANG), ECHILD);
    ct_pass();
}
