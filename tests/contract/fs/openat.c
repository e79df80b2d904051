/* Contract: the *at calls resolve relative paths from the directory fd (or
 * the cwd with AT_FDCWD) and ignore it for absolute paths; a non-directory
 * dirfd is ENOTDIR, a bad one EBADF; unlinkat needs AT_REMOVEDIR for
 * directories; fstatat AT_EMPTY_PATH stats the fd itself. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    OK(mkdir("d", 0755));
    OK(mkdir("other", 0755));
    int dir = OK(open("d", O_RDONLY | O_DIRECTORY));
    OK(chdir("other"));

    int fd = OK(openat(dir, "f", O_WRONLY | O_CREAT, 0644));
    CHECK(write(fd, "hi", 2) == 2, "write");
    close(fd);
    struct stat st;
    EXPECT("openat created d/f, not other/f", stat("../d/f", &st) == 0 && stat("f", &st) == -1);
    fd = OK(openat(AT_FDCWD, "../d/f", O_RDONLY));
    char buf[4] = { 0 };
    EXPECT("AT_FDCWD resolves from the cwd", read(fd, buf, 3) == 2 && strcmp(buf, "hi") == 0);

    EXPECT("absolute paths ignore the dirfd", openat(dir, "/dev/null", O_RDONLY) >= 0);
    EXPECT("absolute paths ignore even a bad dirfd", openat(999, "/dev/null", O_RDONLY) >= 0);
    EXPECT_ERRNO("relative path with a file as dirfd", openat(fd, "x", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO("relative path with a closed dirfd", openat(999, "x", O_RDONLY), EBADF);

    OK(mkdirat(dir, "sub", 0755));
    OK(symlinkat("f", dir, "link"));
    OK(linkat(dir, "f", dir, "f2", 0));
    OK(renameat(dir, "f2", dir, "f3"));
    OK(fstatat(dir, "sub", &st, 0));
    EXPECT("mkdirat", S_ISDIR(st.st_mode));
    OK(fstatat(dir, "link", &st, AT_SYMLINK_NOFOLLOW));
    EXPECT("symlinkat + fstatat AT_SYMLINK_NOFOLLOW", S_ISLNK(st.st_mode));
    OK(fstatat(dir, "link", &st, 0));
    EXPECT("fstatat follows by default", S_ISREG(st.st_mode) && st.st_size == 2);
    OK(fstatat(dir, "f3", &st, 0));
    EXPECT("linkat + renameat", st.st_nlink == 2);

    EXPECT_ERRNO("unlinkat of a directory without AT_REMOVEDIR", unlinkat(dir, "sub", 0), EISDIR);
    EXPECT_ERRNO("unlinkat AT_REMOVEDIR of a file", unlinkat(dir, "f3", AT_REMOVEDIR), ENOTDIR);
    EXPECT("unlinkat AT_REMOVEDIR of a directory", unlinkat(dir, "sub", AT_REMOVEDIR) == 0);
    EXPECT_ERRNO("unlinkat with bad flags", unlinkat(dir, "f3", 0x1), EINVAL);

    OK(fstatat(fd, "", &st, AT_EMPTY_PATH));
    EXPECT("fstatat AT_EMPTY_PATH stats the fd", S_ISREG(st.st_mode) && st.st_size == 2);
    EXPECT_ERRNO("fstatat with an empty path and no AT_EMPTY_PATH", fstatat(fd, "", &st, 0), ENOENT);
    EXPECT("faccessat relative to a dirfd", faccessat(dir, "f", R_OK, 0) == 0);
    EXPECT_ERRNO("faccessat of a missing name", faccessat(dir, "nothing", F_OK, 0), ENOENT);
    ct_pass();
}
