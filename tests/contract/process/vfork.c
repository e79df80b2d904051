/* Contract: a vfork child shares the parent's memory and the parent resumes
 * only after the child has exited or exec'd; the exec'd image's exit status
 * reaches the parent. */
#include "contract.h"

static volatile int shared_value;
static volatile pid_t seen_parent;

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--ct-child") == 0) _exit(17);

    pid_t const me = getpid();
    fflush(stdout);
    pid_t child = vfork();
    if (child == 0) {
        shared_value = 42;
        seen_parent = getppid();
        _exit(3);
    }
    CHECK(child > 0, "vfork");
    /* The parent runs only after the child's _exit: its writes are here. */
    EXPECT("child's write visible in the parent", shared_value == 42);
    EXPECT("child saw the parent as getppid", seen_parent == me);
    int status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 3, "vfork child exits 3");
    printf("vfork child: %s\n", status_text(status));

    fflush(stdout);
    child = vfork();
    if (child == 0) {
        char *args[] = { argv[0], "--ct-child", NULL };
        execv(argv[0], args);
        _exit(1);
    }
    CHECK(child > 0, "vfork");
    status = ct_wait(child);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 17, "vfork+exec child exits 17");
    printf("vfork+exec child: %s\n", status_text(status));
    ct_pass();
}
