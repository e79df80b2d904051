/* Contract: exec of a set-user-ID program makes its owner the effective
 * and saved user ID (the real one stays), and a set-group-ID program with
 * the group-execute bit its group (without that bit, nothing); AT_SECURE
 * says so. PR_SET_NO_NEW_PRIVS (inherited, irreversible) makes exec ignore
 * the bits. The program runs copies of itself. */
#include "contract.h"

#include <sys/auxv.h>
#include <sys/prctl.h>

static void report(void)
{
    uid_t r, e, s;
    gid_t gr, ge, gs;
    getresuid(&r, &e, &s);
    getresgid(&gr, &ge, &gs);
    printf("  uids %u %u %u, gids %u %u %u, AT_SECURE %lu, no_new_privs %d\n", r, e, s, gr, ge, gs,
           getauxval(AT_SECURE), prctl(PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0));
    fflush(stdout);
}

/* Runs `path` (a copy of this program) in a child, after `setup`. */
static void run(char const *what, char const *path, void (*setup)(void))
{
    printf("%s:\n", what);
    fflush(stdout);
    pid_t child = ct_fork();
    if (child == 0) {
        if (setup) setup();
        char *argv[] = { (char *)path, "report", NULL };
        execv(path, argv);
        _exit(127);
    }
    int status = ct_wait(child);
    if (!WIFEXITED(status) || WEXITSTATUS(status)) printf("  %s\n", status_text(status));
}

static void as_user(void) { ct_become_user(1000); }
static void no_new_privs(void) { CHECK(prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0, "PR_SET_NO_NEW_PRIVS"); }
static void no_new_privs_as_user(void)
{
    ct_become_user(1000);
    no_new_privs();
}

static void copy_self(char const *path, uid_t uid, gid_t gid, mode_t mode)
{
    int in = OK(open("/proc/self/exe", O_RDONLY));
    int out = OK(open(path, O_WRONLY | O_CREAT | O_TRUNC, 0700));
    char buffer[65536];
    ssize_t n;
    while ((n = read(in, buffer, sizeof buffer)) > 0) CHECK(write(out, buffer, (size_t)n) == n, "write");
    close(in);
    close(out);
    OK(chown(path, uid, gid));
    OK(chmod(path, mode)); /* after chown, which clears the set-ID bits */
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "report") == 0) {
        report();
        return 0;
    }
    ct_enter_tmpdir();
    OK(chmod(".", 0755));
    copy_self("suid1000", 1000, 1000, 04755);
    copy_self("sgid1000", 0, 1000, 02755);
    copy_self("sgid-noexec", 0, 1000, 02745);
    copy_self("suid0", 0, 0, 04755);
    copy_self("plain", 0, 0, 0755);

    run("root runs a set-user-ID 1000 program", "./suid1000", NULL);
    run("root runs a set-group-ID 1000 program", "./sgid1000", NULL);
    run("root runs one without group execute", "./sgid-noexec", NULL);
    run("user 1000 runs a set-user-ID root program", "./suid0", as_user);
    run("user 1000 runs a plain program", "./plain", as_user);
    run("with no_new_privs, user 1000 runs the set-user-ID root program", "./suid0", no_new_privs_as_user);
    run("with no_new_privs, root runs the set-user-ID 1000 program", "./suid1000", no_new_privs);

    EXPECT_ERRNO("PR_SET_NO_NEW_PRIVS with 2", prctl(PR_SET_NO_NEW_PRIVS, 2, 0, 0, 0), EINVAL);
    EXPECT_ERRNO("PR_GET_NO_NEW_PRIVS with an argument", prctl(PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0), EINVAL);
    ct_pass();
}
