/* Contract: with SIGCHLD set to SIG_IGN (or SA_NOCLDWAIT), exited children
 * are reaped automatically: wait blocks until they are all gone, then fails
 * with ECHILD. With the default disposition they stay waitable. */
#include "contract.h"

static void spawn_and_wait_ignored(char const *how)
{
    int go[2];
    OK(pipe(go));
    for (int i = 0; i < 3; i++) {
        pid_t child = ct_fork();
        if (child == 0) {
            close(go[1]);
            char c;
            while (read(go[0], &c, 1) > 0) { }
            _exit(1);
        }
    }
    close(go[0]);
    close(go[1]); /* the children exit, and nobody reaps them */
    int status;
    errno = 0;
    pid_t r = wait(&status);
    CHECK(r == -1 && errno == ECHILD, "wait fails with ECHILD once all exited");
    printf("%s: wait returned ECHILD\n", how);
}

int main(void)
{
    EXPECT_ERRNO("wait with no children", wait(NULL), ECHILD);

    signal(SIGCHLD, SIG_IGN);
    spawn_and_wait_ignored("SIGCHLD SIG_IGN");

    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    sa.sa_flags = SA_NOCLDWAIT;
    OK(sigaction(SIGCHLD, &sa, NULL));
    spawn_and_wait_ignored("SA_NOCLDWAIT");

    signal(SIGCHLD, SIG_DFL);
    pid_t child = ct_fork();
    if (child == 0) _exit(4);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 4, "default: child is waitable");
    printf("SIGCHLD SIG_DFL: child %s\n", status_text(status));
    ct_pass();
}
