/* Contract: getcwd reports the directory chdir/fchdir moved to (".."
 * resolved); chdir to a file is ENOTDIR, to a missing name ENOENT; a buffer
 * too small is ERANGE; after the cwd is removed getcwd is ENOENT. Paths are
 * printed relative to the test's scratch directory. */
#include "contract.h"

static char base[4096];

static char const *where(void)
{
    static char buf[4096];
    if (!getcwd(buf, sizeof buf)) return errno_name(errno);
    size_t n = strlen(base);
    if (strncmp(buf, base, n) == 0) return buf[n] ? buf + n : "<scratch>";
    return "<elsewhere>";
}

int main(void)
{
    ct_enter_tmpdir();
    CHECK(getcwd(base, sizeof base), "getcwd");
    OK(mkdir("a", 0755));
    OK(mkdir("a/b", 0755));
    ct_write_file("file", "", 0644);

    OK(chdir("a/b"));
    printf("after chdir a/b: %s\n", where());
    OK(chdir("../././b/.."));
    printf("after chdir ../././b/..: %s\n", where());
    int a = OK(open(".", O_RDONLY | O_DIRECTORY));
    OK(chdir(".."));
    printf("after chdir ..: %s\n", where());
    OK(fchdir(a));
    printf("after fchdir to a: %s\n", where());

    OK(chdir(base));
    EXPECT_ERRNO("chdir to a file", chdir("file"), ENOTDIR);
    EXPECT_ERRNO("chdir to a missing name", chdir("missing"), ENOENT);
    int f = OK(open("file", O_RDONLY));
    EXPECT_ERRNO("fchdir to a file fd", fchdir(f), ENOTDIR);
    EXPECT_ERRNO("fchdir to a closed fd", fchdir(999), EBADF);
    printf("after the failures: %s\n", where());

    char tiny[4];
    errno = 0;
    EXPECT("getcwd with a 4-byte buffer fails", getcwd(tiny, sizeof tiny) == NULL);
    printf("its errno: %s\n", errno_name(errno));
    CHECK(errno == ERANGE, "ERANGE");

    OK(chdir("a/b"));
    OK(rmdir("../b"));
    printf("after removing the cwd: %s\n", where());
    EXPECT("and . no longer lists anything", access(".", F_OK) == 0);
    OK(chdir(base));

    /* A child's chdir does not move the parent. */
    pid_t child = ct_fork();
    if (child == 0) _exit(chdir("a") == 0 ? 0 : 1);
    ct_wait(child);
    printf("after a child's chdir: %s\n", where());
    OK(chdir("/"));
    char root[8];
    EXPECT("chdir / gives /", getcwd(root, sizeof root) && strcmp(root, "/") == 0);
    OK(chdir(".."));
    EXPECT("chdir .. at / stays at /", getcwd(root, sizeof root) && strcmp(root, "/") == 0);
    ct_pass();
}
