/* Contract: waitpid(pid) reaps exactly that child regardless of the order in
 * which children exited; wait(-1) then reaps the rest; waiting for a pid that
 * is not our child fails with ECHILD. */
#include "contract.h"

int main(void)
{
    int go[2];
    OK(pipe(go));
    pid_t kids[3];
    for (int i = 0; i < 3; i++) {
        kids[i] = ct_fork();
        if (kids[i] == 0) {
            close(go[1]);
            char c;
            while (read(go[0], &c, 1) > 0) { }
            _exit(i + 1);
        }
    }
    close(go[1]); /* all three exit now */

    int status;
    CHECK(waitpid(kids[1], &status, 0) == kids[1], "waitpid(second) returns the second");
    printf("second child: %s\n", status_text(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 2, "second exits 2");
    CHECK(waitpid(kids[2], &status, 0) == kids[2], "waitpid(third) returns the third");
    printf("third child: %s\n", status_text(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3, "third exits 3");
    EXPECT_ERRNO("waitpid(second) again", waitpid(kids[1], &status, 0), ECHILD);
    pid_t r = wait(&status);
    CHECK(r == kids[0], "wait() returns the remaining child");
    printf("remaining child: %s\n", status_text(status));
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 1, "first exits 1");
    EXPECT_ERRNO("wait() with no children", wait(&status), ECHILD);
    EXPECT_ERRNO("waitpid(getppid())", waitpid(getppid(), &status, 0), ECHILD);
    EXPECT_ERRNO("waitpid(getpid())", waitpid(getpid(), &status, 0), ECHILD);
    EXPECT_ERRNO("waitpid with bad options", waitpid(-1, &status, 0x100), EINVAL);
    ct_pass();
}
