/* Contract: the strings execve puts on the new stack are whole and
 * NUL-terminated -- AT_EXECFN (the path given to execve), every argv and
 * envp string -- whatever the sizes and counts, and the initial stack keeps
 * argc 16-byte aligned.
 *
 * The test re-executes itself in two steps for each case: first with a large
 * environment of 'X's (a kernel that builds the stack image in a heap buffer
 * frees that environment's copy right after), then with the case's argument
 * count and lengths, so that a stack image that reaches past its buffer reads
 * those 'X's where a NUL belongs. A kernel once allocated the image 8 bytes
 * short when argc + envc was even, and AT_EXECFN lost its NUL. */
#include "contract.h"
#include <stdint.h>
#include <sys/auxv.h>

extern char **environ;

static char *filled(size_t length, char c)
{
    char *s = malloc(length + 1);
    CHECK(s, "malloc");
    memset(s, c, length);
    s[length] = 0;
    return s;
}

/* Argument i of a case: `length` + i bytes of 'a' + i. */
static int check_main(int argc, char **argv)
{
    size_t const length = strtoul(argv[2], NULL, 10);
    int ok = 1;
    for (int i = 3; i < argc; i++) {
        size_t const want = length + (size_t)i;
        if (strlen(argv[i]) != want || strspn(argv[i], "abcdefghijklmnop") != want) ok = 0;
    }
    for (char **e = environ; *e; e++)
        if (strncmp(*e, "CT_E", 4) != 0 || strlen(*e) != 4 + length) ok = 0;
    /* main's argv is where the kernel left it: just above argc, at the
     * initial stack pointer, which the ABI aligns to 16 bytes. */
    if (((uintptr_t)argv - 8) % 16 != 0) ok = 0;
    char const *execfn = (char const *)getauxval(AT_EXECFN);
    size_t const path = strlen(argv[0]);
    if (!execfn || memcmp(execfn, argv[0], path) != 0 || execfn[path] != 0) ok = 0;
    _exit(ok ? 0 : 1);
}

static void stage_main(char **argv)
{
    /* argv: self --ct-stage length argc envc */
    size_t const length = strtoul(argv[2], NULL, 10);
    int const count = atoi(argv[3]), envc = atoi(argv[4]);
    char **args = calloc((size_t)count + 1, sizeof *args);
    char **env = calloc((size_t)envc + 1, sizeof *env);
    CHECK(args && env, "calloc");
    args[0] = argv[0];
    args[1] = "--ct-check";
    args[2] = argv[2];
    for (int i = 3; i < count; i++) args[i] = filled(length + (size_t)i, (char)('a' + i % 16));
    for (int i = 0; i < envc; i++) {
        env[i] = filled(4 + length, 'e');
        memcpy(env[i], "CT_E", 4);
    }
    execve(argv[0], args, env);
    _exit(2);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--ct-check") == 0) return check_main(argc, argv);
    if (argc > 1 && strcmp(argv[1], "--ct-stage") == 0) stage_main(argv);
    CHECK(strchr(argv[0], '/'), "argv[0] is a path");

    static size_t const lengths[] = { 0, 7, 100, 200, 1000 };
    static int const counts[] = { 3, 4, 5, 6 };
    static int const envcs[] = { 0, 1, 2 };
    static size_t const junk[] = { 500, 900, 1900, 4000 };
    int cases = 0, failed = 0;
    for (size_t l = 0; l < sizeof lengths / sizeof *lengths; l++)
        for (size_t c = 0; c < sizeof counts / sizeof *counts; c++)
            for (size_t e = 0; e < sizeof envcs / sizeof *envcs; e++) {
                size_t const size = junk[(l + c + e) % (sizeof junk / sizeof *junk)];
                pid_t pid = ct_fork();
                if (pid == 0) {
                    char length[16], count[16], envc[16];
                    snprintf(length, sizeof length, "%zu", lengths[l]);
                    snprintf(count, sizeof count, "%d", counts[c]);
                    snprintf(envc, sizeof envc, "%d", envcs[e]);
                    char *args[] = { argv[0], "--ct-stage", length, count, envc, NULL };
                    char *big = filled(size, 'X');
                    memcpy(big, "JUNK=", 5);
                    char *env[] = { big, NULL };
                    execve(argv[0], args, env);
                    _exit(3);
                }
                int status = ct_wait(pid);
                cases++;
                if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
                    failed++;
                    printf("length %zu, argc %d, envc %d: %s\n", lengths[l], counts[c], envcs[e], status_text(status));
                }
            }
    printf("%d cases, %d with a broken string\n", cases, failed);
    CHECK(failed == 0, "every string on the new stack is whole and NUL-terminated");
    ct_pass();
}
