/* Contract: mkdir of an existing name is EEXIST, of a name under a missing
 * directory ENOENT; rmdir of a non-empty directory is ENOTEMPTY, of a file
 * ENOTDIR, of "." EINVAL; unlink of a directory is EISDIR. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    OK(mkdir("d", 0755));
    ct_write_file("f", "", 0644);
    OK(symlink("nowhere", "dangling"));
    EXPECT_ERRNO("mkdir of an existing directory", mkdir("d", 0755), EEXIST);
    EXPECT_ERRNO("mkdir of an existing file", mkdir("f", 0755), EEXIST);
    EXPECT_ERRNO("mkdir of a dangling symlink", mkdir("dangling", 0755), EEXIST);
    EXPECT_ERRNO("mkdir under a missing directory", mkdir("missing/d", 0755), ENOENT);
    EXPECT_ERRNO("mkdir under a file", mkdir("f/d", 0755), ENOTDIR);
    EXPECT_ERRNO("mkdir .", mkdir(".", 0755), EEXIST);

    OK(mkdir("d/sub", 0755));
    EXPECT_ERRNO("rmdir of a directory with a subdirectory", rmdir("d"), ENOTEMPTY);
    OK(rmdir("d/sub"));
    ct_write_file("d/file", "", 0644);
    EXPECT_ERRNO("rmdir of a directory with a file", rmdir("d"), ENOTEMPTY);
    EXPECT_ERRNO("rmdir of a file", rmdir("f"), ENOTDIR);
    EXPECT_ERRNO("rmdir of a symlink", rmdir("dangling"), ENOTDIR);
    EXPECT_ERRNO("rmdir of a missing name", rmdir("missing"), ENOENT);
    EXPECT_ERRNO("rmdir .", rmdir("."), EINVAL);
    EXPECT_ERRNO("rmdir d/.", rmdir("d/."), EINVAL);
    EXPECT_ERRNO("rmdir ..", rmdir(".."), ENOTEMPTY);
    EXPECT_ERRNO("unlink of a directory", unlink("d"), EISDIR);
    OK(unlink("d/file"));
    EXPECT("rmdir of the now empty directory", rmdir("d") == 0);
    struct stat st;
    EXPECT_ERRNO("stat after rmdir", stat("d", &st), ENOENT);

    /* A directory that is some process's cwd can still be removed. */
    OK(mkdir("cwd", 0755));
    OK(chdir("cwd"));
    EXPECT("rmdir of the current directory via its path", rmdir("../cwd") == 0);
    EXPECT_ERRNO("creating a file in a removed cwd", open("x", O_WRONLY | O_CREAT, 0644), ENOENT);
    OK(chdir(".."));
    ct_pass();
}
