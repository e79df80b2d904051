/* Contract: a child's exit code reaches waitpid as WIFEXITED with WEXITSTATUS
 * equal to the code modulo 256, encoded as (code & 0xff) << 8. */
#include "contract.h"

int main(void)
{
    static int const codes[] = { 0, 1, 3, 127, 255, 256, 257, -1 };
    for (unsigned i = 0; i < sizeof codes / sizeof codes[0]; i++) {
        pid_t pid = ct_fork();
        if (pid == 0) _exit(codes[i]);
        int status = ct_wait(pid);
        CHECK(WIFEXITED(status), "WIFEXITED");
        CHECK(!WIFSIGNALED(status) && !WIFSTOPPED(status), "only WIFEXITED");
        CHECK(WEXITSTATUS(status) == (codes[i] & 0xff), "WEXITSTATUS is the code modulo 256");
        CHECK(status == (codes[i] & 0xff) << 8, "raw status encoding");
        printf("_exit(%d): %s\n", codes[i], status_text(status));
    }

    /* exit() from main's return value works the same way. */
    pid_t pid = ct_fork();
    if (pid == 0) exit(42);
    printf("exit(42): %s\n", status_text(ct_wait(pid)));
    ct_pass();
}
