/* Contract: link makes a second name for the same file (shared content,
 * nlink 2); link to a directory is EPERM, onto an existing name EEXIST;
 * symlink/readlink store the target verbatim (no NUL, truncated to the
 * buffer); readlink of a non-link is EINVAL; dangling links stat ENOENT but
 * lstat fine; linkat AT_SYMLINK_FOLLOW links the target. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "one", 0644);
    OK(link("f", "g"));
    int fd = OK(open("g", O_WRONLY | O_APPEND));
    CHECK(write(fd, "+two", 4) == 4, "write through g");
    close(fd);
    char buf[32] = { 0 };
    fd = OK(open("f", O_RDONLY));
    CHECK(read(fd, buf, sizeof buf - 1) == 7, "read through f");
    close(fd);
    printf("f after writing through its link g: %s\n", buf);
    struct stat sf, sg;
    OK(stat("f", &sf));
    OK(stat("g", &sg));
    EXPECT("same inode", sf.st_ino == sg.st_ino && sf.st_dev == sg.st_dev);
    printf("nlink: %lu\n", (unsigned long)sf.st_nlink);
    CHECK(sf.st_nlink == 2, "nlink 2");
    OK(unlink("f"));
    OK(stat("g", &sg));
    EXPECT("g survives with nlink 1", sg.st_nlink == 1 && sg.st_size == 7);

    OK(mkdir("d", 0755));
    EXPECT_ERRNO("link to a directory", link("d", "d2"), EPERM);
    ct_write_file("h", "", 0644);
    EXPECT_ERRNO("link onto an existing name", link("g", "h"), EEXIST);
    EXPECT_ERRNO("link of a missing file", link("missing", "m"), ENOENT);

    OK(symlink("some/where/../target", "s"));
    memset(buf, 'X', sizeof buf);
    ssize_t n = readlink("s", buf, sizeof buf);
    printf("readlink: %zd bytes: %.*s\n", n, (int)n, buf);
    CHECK(n == 20 && memcmp(buf, "some/where/../target", 20) == 0, "verbatim target");
    EXPECT("no NUL is appended", buf[20] == 'X');
    n = readlink("s", buf, 4);
    printf("readlink with a 4-byte buffer: %zd bytes: %.*s\n", n, (int)n, buf);
    CHECK(n == 4, "truncated");
    EXPECT_ERRNO("readlink of a regular file", readlink("g", buf, sizeof buf), EINVAL);
    EXPECT_ERRNO("readlink of a missing name", readlink("missing", buf, sizeof buf), ENOENT);
    EXPECT_ERRNO("symlink onto an existing name", symlink("x", "g"), EEXIST);
    EXPECT_ERRNO("symlink with an empty target", symlink("", "e"), ENOENT);

    struct stat st;
    EXPECT_ERRNO("stat of a dangling symlink", stat("s", &st), ENOENT);
    EXPECT("lstat of a dangling symlink", lstat("s", &st) == 0 && S_ISLNK(st.st_mode));

    OK(symlink("g", "sg"));
    OK(link("sg", "hard_to_link"));
    OK(lstat("hard_to_link", &st));
    EXPECT("link() of a symlink links the symlink itself", S_ISLNK(st.st_mode));
    OK(linkat(AT_FDCWD, "sg", AT_FDCWD, "hard_to_target", AT_SYMLINK_FOLLOW));
    OK(lstat("hard_to_target", &st));
    EXPECT("linkat AT_SYMLINK_FOLLOW links the target", S_ISREG(st.st_mode) && st.st_ino == sg.st_ino);
    ct_pass();
}
