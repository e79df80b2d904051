/* Contract: O_DIRECTORY on a non-directory is ENOTDIR; O_NOFOLLOW on a
 * symlink as the last component is ELOOP (links earlier in the path are
 * still followed); O_PATH|O_NOFOLLOW opens the link itself; writing a
 * directory is EISDIR; O_RDONLY|O_TRUNC-free reads work on 0444 files. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "x", 0644);
    OK(mkdir("d", 0755));
    ct_write_file("d/inner", "i", 0644);
    OK(symlink("f", "lf"));
    OK(symlink("d", "ld"));

    EXPECT_ERRNO("O_DIRECTORY on a file", open("f", O_RDONLY | O_DIRECTORY), ENOTDIR);
    EXPECT_ERRNO("O_DIRECTORY on a symlink to a file", open("lf", O_RDONLY | O_DIRECTORY), ENOTDIR);
    int fd = open("d", O_RDONLY | O_DIRECTORY);
    EXPECT("O_DIRECTORY on a directory", fd >= 0);
    close(fd);
    fd = open("ld", O_RDONLY | O_DIRECTORY);
    EXPECT("O_DIRECTORY through a symlink to a directory", fd >= 0);
    close(fd);

    EXPECT_ERRNO("O_NOFOLLOW on a symlink", open("lf", O_RDONLY | O_NOFOLLOW), ELOOP);
    EXPECT_ERRNO("O_NOFOLLOW|O_DIRECTORY on a symlink to a directory", open("ld", O_RDONLY | O_NOFOLLOW | O_DIRECTORY),
                 ENOTDIR);
    fd = open("ld/inner", O_RDONLY | O_NOFOLLOW);
    EXPECT("O_NOFOLLOW still follows links earlier in the path", fd >= 0);
    close(fd);
    fd = open("f", O_RDONLY | O_NOFOLLOW);
    EXPECT("O_NOFOLLOW on a regular file", fd >= 0);
    close(fd);

    fd = OK(open("lf", O_PATH | O_NOFOLLOW));
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT("O_PATH|O_NOFOLLOW opens the link itself", S_ISLNK(st.st_mode));
    char c;
    EXPECT_ERRNO("read on an O_PATH fd", read(fd, &c, 1), EBADF);
    close(fd);

    EXPECT_ERRNO("open a directory O_WRONLY", open("d", O_WRONLY), EISDIR);
    EXPECT_ERRNO("open a directory O_RDWR", open("d", O_RDWR), EISDIR);
    fd = OK(open("d", O_RDONLY));
    EXPECT_ERRNO("read on a directory fd", read(fd, &c, 1), EISDIR);
    close(fd);
    EXPECT_ERRNO("open a missing file without O_CREAT", open("missing", O_RDONLY), ENOENT);
    EXPECT_ERRNO("O_CREAT|O_DIRECTORY on a new name", open("newdir", O_RDONLY | O_CREAT | O_DIRECTORY, 0755), EINVAL);
    ct_pass();
}
