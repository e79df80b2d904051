/* Contract: O_CREAT|O_EXCL fails with EEXIST on any existing name, including
 * a dangling symlink (which it does not follow); O_CREAT alone through a
 * dangling symlink creates its target; O_TRUNC empties an existing file. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    umask(0);
    ct_write_file("f", "data", 0644);
    OK(mkdir("d", 0755));
    OK(symlink("target", "dangling"));
    OK(symlink("f", "tofile"));
    EXPECT_ERRNO("O_EXCL on an existing file", open("f", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    EXPECT_ERRNO("O_EXCL on a directory", open("d", O_RDONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    EXPECT_ERRNO("O_EXCL on a dangling symlink", open("dangling", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    EXPECT_ERRNO("O_EXCL on a symlink to a file", open("tofile", O_WRONLY | O_CREAT | O_EXCL, 0644), EEXIST);
    EXPECT("the dangling symlink's target was not created", access("target", F_OK) == -1);
    int fd = open("new", O_WRONLY | O_CREAT | O_EXCL, 0644);
    EXPECT("O_EXCL creates a new file", fd >= 0);
    close(fd);

    fd = OK(open("dangling", O_WRONLY | O_CREAT, 0644));
    close(fd);
    struct stat st;
    EXPECT("O_CREAT through a dangling symlink creates the target", stat("target", &st) == 0 && S_ISREG(st.st_mode));

    fd = OK(open("f", O_WRONLY | O_CREAT, 0600));
    OK(fstat(fd, &st));
    printf("O_CREAT on an existing file: size %ld, mode %04o (unchanged)\n", (long)st.st_size, st.st_mode & 0777);
    CHECK(st.st_size == 4 && (st.st_mode & 0777) == 0644, "unchanged");
    close(fd);
    fd = OK(open("f", O_WRONLY | O_TRUNC));
    OK(fstat(fd, &st));
    printf("O_TRUNC: size %ld\n", (long)st.st_size);
    CHECK(st.st_size == 0, "truncated");
    EXPECT_ERRNO("O_CREAT|O_EXCL in a missing directory", open("nodir/x", O_WRONLY | O_CREAT | O_EXCL, 0644), ENOENT);
    ct_pass();
}
