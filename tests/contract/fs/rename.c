/* Contract: rename replaces an existing file atomically; a directory may
 * replace an empty directory but not a non-empty one (ENOTEMPTY/EEXIST);
 * file over directory is EISDIR, directory over file ENOTDIR; moving a
 * directory into itself is EINVAL; RENAME_NOREPLACE refuses an existing
 * target (EEXIST); RENAME_EXCHANGE swaps; renaming a file onto a hard link
 * of itself does nothing. */
#include "contract.h"
#include <sys/syscall.h>

#define RENAME_NOREPLACE (1 << 0)
#define RENAME_EXCHANGE (1 << 1)

static long rename2(char const *from, char const *to, unsigned flags)
{
    return syscall(SYS_renameat2, AT_FDCWD, from, AT_FDCWD, to, flags);
}

static char const *contents(char const *path)
{
    static char bufs[2][32];
    static int turn;
    char *buf = bufs[turn++ % 2]; /* two calls may share one printf */
    memset(buf, 0, 32);
    int fd = open(path, O_RDONLY);
    if (fd < 0) return errno_name(errno);
    if (read(fd, buf, 31) < 0) strcpy(buf, "?");
    close(fd);
    return buf;
}

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("a", "A", 0644);
    ct_write_file("b", "B", 0644);
    int held = OK(open("b", O_RDONLY));
    OK(rename("a", "b"));
    printf("after rename a b: a is %s, b holds %s\n", contents("a"), contents("b"));
    CHECK(strcmp(contents("b"), "A") == 0 && access("a", F_OK) == -1, "replaced");
    char c;
    EXPECT("an fd on the replaced file still reads it", read(held, &c, 1) == 1 && c == 'B');

    OK(mkdir("d1", 0755));
    OK(mkdir("d2", 0755));
    OK(mkdir("full", 0755));
    ct_write_file("full/x", "x", 0644);
    ct_write_file("file", "F", 0644);
    OK(rename("d1", "d2"));
    EXPECT("directory over an empty directory", access("d1", F_OK) == -1 && access("d2", F_OK) == 0);
    errno = 0;
    int r = rename("d2", "full");
    printf("directory over a non-empty directory: %s\n", r == 0 ? "succeeded" : errno_name(errno));
    CHECK(r == -1 && (errno == ENOTEMPTY || errno == EEXIST), "ENOTEMPTY or EEXIST");
    EXPECT_ERRNO("file over a directory", rename("file", "d2"), EISDIR);
    EXPECT_ERRNO("directory over a file", rename("d2", "file"), ENOTDIR);
    EXPECT_ERRNO("directory into its own subdirectory", rename("full", "full/sub"), EINVAL);
    EXPECT_ERRNO("directory onto its own child", rename("full", "full/x"), EINVAL);
    EXPECT_ERRNO("missing source", rename("nothing", "z"), ENOENT);
    EXPECT_ERRNO("target in a missing directory", rename("file", "nodir/z"), ENOENT);
    EXPECT_ERRNO("rename of .", rename(".", "z"), EBUSY);

    EXPECT_ERRNO("RENAME_NOREPLACE over a file", rename2("file", "b", RENAME_NOREPLACE), EEXIST);
    EXPECT("and both are intact", strcmp(contents("b"), "A") == 0 && strcmp(contents("file"), "F") == 0);
    EXPECT("RENAME_NOREPLACE to a new name works", rename2("file", "file2", RENAME_NOREPLACE) == 0);
    OK(rename2("file2", "b", RENAME_EXCHANGE));
    printf("after RENAME_EXCHANGE file2 b: file2 holds %s, b holds %s\n", contents("file2"), contents("b"));
    CHECK(strcmp(contents("file2"), "A") == 0 && strcmp(contents("b"), "F") == 0, "exchanged");
    EXPECT_ERRNO("RENAME_EXCHANGE with a missing target", rename2("b", "missing", RENAME_EXCHANGE), ENOENT);
    EXPECT_ERRNO("RENAME_NOREPLACE|RENAME_EXCHANGE", rename2("b", "file2", RENAME_NOREPLACE | RENAME_EXCHANGE),
                 EINVAL);

    /* Hard links to the same inode: rename does nothing and succeeds. */
    OK(link("b", "b2"));
    OK(rename("b", "b2"));
    EXPECT("rename onto a hard link of itself keeps both names", access("b", F_OK) == 0 && access("b2", F_OK) == 0);
    EXPECT("rename to the same name works", rename("b", "b") == 0);

    /* Moving a directory updates its "..". */
    OK(mkdir("p", 0755));
    OK(mkdir("q", 0755));
    OK(rename("p", "q/p"));
    struct stat parent, dotdot;
    OK(stat("q", &parent));
    OK(stat("q/p/..", &dotdot));
    EXPECT("a moved directory's .. is its new parent", parent.st_ino == dotdot.st_ino);
    OK(stat("q", &parent));
    printf("nlink of a directory that gained a subdirectory: %lu\n", (unsigned long)parent.st_nlink);
    CHECK(parent.st_nlink == 3, "nlink 3");
    ct_pass();
}
