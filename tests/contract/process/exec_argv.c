/* Contract: execve passes argv and envp to the new image exactly (count,
 * order, empty strings), and the exec'd program's exit status reaches the
 * parent. The test re-executes itself (argv[0]) with a marker argument. */
#include "contract.h"

extern char **environ;

static int child_main(int argc, char **argv)
{
    printf("child argc=%d\n", argc);
    for (int i = 1; i < argc; i++) printf("child argv[%d]=\"%s\"\n", i, argv[i]);
    CHECK(argv[argc] == NULL, "argv is NULL-terminated");
    int n = 0;
    for (char **e = environ; *e; e++, n++) printf("child env \"%s\"\n", *e);
    printf("child envc=%d\n", n);
    CHECK(getenv("CT_B") && strcmp(getenv("CT_B"), "x=y") == 0, "getenv sees the new environment");
    fflush(stdout);
    _exit(7);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--ct-child") == 0) return child_main(argc, argv);
    CHECK(strchr(argv[0], '/'), "argv[0] is a path");

    pid_t pid = ct_fork();
    if (pid == 0) {
        char *args[] = { argv[0], "--ct-child", "one", "", "with space", "last", NULL };
        char *env[] = { "CT_A=1", "CT_B=x=y", "CT_EMPTY=", NULL };
        execve(argv[0], args, env);
        printf("CONTRACT_FAIL execve: %s\n", errno_name(errno));
        fflush(stdout);
        _exit(1);
    }
    int status = ct_wait(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "exec'd child exits 7");
    printf("parent: child %s\n", status_text(status));

    /* A smaller environment replaces the first one entirely. */
    pid = ct_fork();
    if (pid == 0) {
        char *args[] = { argv[0], "--ct-child", NULL };
        char *env[] = { "CT_B=x=y", NULL };
        execve(argv[0], args, env);
        _exit(1);
    }
    status = ct_wait(pid);
    CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 7, "second exec'd child exits 7");
    printf("parent: child %s\n", status_text(status));
    ct_pass();
}
