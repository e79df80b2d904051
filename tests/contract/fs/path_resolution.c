/* Contract: path resolution handles ".", "..", repeated slashes and ".." at
 * the root (which stays at the root); a missing component is ENOENT, a
 * file used as a directory ENOTDIR, an empty path ENOENT, and a component
 * over 255 bytes ENAMETOOLONG. */
#include "contract.h"

static int same_file(char const *a, char const *b)
{
    struct stat sa, sb;
    if (stat(a, &sa) < 0 || stat(b, &sb) < 0) return 0;
    return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int main(void)
{
    ct_enter_tmpdir();
    OK(mkdir("a", 0755));
    OK(mkdir("a/b", 0755));
    OK(mkdir("a/c", 0755));
    ct_write_file("a/c/f", "f", 0644);

    EXPECT("a/./b/../c/f names a/c/f", same_file("a/./b/../c/f", "a/c/f"));
    EXPECT("a//c///f names a/c/f", same_file("a//c///f", "a/c/f"));
    EXPECT("./a/b/.. names a", same_file("./a/b/..", "a"));
    EXPECT("a/b/../../a names a", same_file("a/b/../../a", "a"));
    EXPECT("/.. is /", same_file("/..", "/"));
    EXPECT("/../../.. is /", same_file("/../../..", "/"));
    EXPECT("//tmp/.. is /", same_file("//tmp/..", "/"));
    EXPECT("/. is /", same_file("/.", "/"));

    int fd = OK(open("a/b/../c/./f", O_RDONLY));
    char c;
    EXPECT("open through .. reads the file", read(fd, &c, 1) == 1 && c == 'f');
    close(fd);

    EXPECT_ERRNO("missing component", open("a/x/f", O_RDONLY), ENOENT);
    EXPECT_ERRNO("missing last component", open("a/c/g", O_RDONLY), ENOENT);
    EXPECT_ERRNO("file used as a directory", open("a/c/f/x", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO("file/.. ", open("a/c/f/..", O_RDONLY), ENOTDIR);
    EXPECT_ERRNO("empty path", open("", O_RDONLY), ENOENT);
    struct stat st;
    EXPECT_ERRNO("stat of an empty path", stat("", &st), ENOENT);
    char longname[300];
    memset(longname, 'n', 256);
    longname[256] = 0;
    EXPECT_ERRNO("256-byte component", open(longname, O_RDONLY), ENAMETOOLONG);
    longname[255] = 0;
    EXPECT_ERRNO("255-byte component (absent)", open(longname, O_RDONLY), ENOENT);
    int created = open(longname, O_WRONLY | O_CREAT, 0644);
    EXPECT("a 255-byte name can be created", created >= 0);
    close(created);
    OK(unlink(longname));

    /* A path longer than PATH_MAX (4096) is ENAMETOOLONG. */
    static char huge[5000];
    for (int i = 0; i + 2 < (int)sizeof huge; i += 2) memcpy(huge + i, "./", 2);
    huge[sizeof huge - 1] = 0;
    EXPECT_ERRNO("a 4999-byte path", open(huge, O_RDONLY), ENAMETOOLONG);

    /* ".." from a directory opened with openat. */
    int dir = OK(open("a/c", O_RDONLY | O_DIRECTORY));
    int up = OK(openat(dir, "../b/../c/f", O_RDONLY));
    EXPECT("openat with .. relative to a dirfd", read(up, &c, 1) == 1 && c == 'f');
    ct_pass();
}
