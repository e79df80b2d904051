/* Contract: following symlinks: a chain of 40 links resolves, 41 is ELOOP;
 * a loop is ELOOP for open/stat but lstat and readlink work on the link;
 * relative targets resolve from the link's directory. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    OK(symlink("l2", "l1"));
    OK(symlink("l1", "l2"));
    OK(symlink("self", "self"));
    struct stat st;
    EXPECT_ERRNO("open of a two-link loop", open("l1", O_RDONLY), ELOOP);
    EXPECT_ERRNO("stat of a two-link loop", stat("l1", &st), ELOOP);
    EXPECT_ERRNO("open of a self loop", open("self", O_RDONLY), ELOOP);
    EXPECT_ERRNO("loop in the middle of a path", open("l1/x", O_RDONLY), ELOOP);
    EXPECT("lstat of a looping link works", lstat("l1", &st) == 0 && S_ISLNK(st.st_mode));
    char buf[16] = { 0 };
    EXPECT("readlink of a looping link", readlink("l1", buf, sizeof buf) == 2 && strcmp(buf, "l2") == 0);

    /* c0 -> c1 -> ... -> c40 -> target: 41 links to follow from c0. */
    ct_write_file("target", "end", 0644);
    char name[16], next[16];
    for (int i = 0; i <= 40; i++) {
        snprintf(name, sizeof name, "c%d", i);
        if (i == 40)
            strcpy(next, "target");
        else
            snprintf(next, sizeof next, "c%d", i + 1);
        OK(symlink(next, name));
    }
    int fd = open("c1", O_RDONLY);
    EXPECT("a chain of 40 links resolves", fd >= 0);
    close(fd);
    EXPECT_ERRNO("a chain of 41 links", open("c0", O_RDONLY), ELOOP);

    /* Relative targets are relative to the link's directory. */
    OK(mkdir("d", 0755));
    OK(mkdir("d/e", 0755));
    ct_write_file("d/e/f", "deep", 0644);
    OK(symlink("e/f", "d/rel"));
    OK(symlink("../e", "d/e/up"));
    fd = OK(open("d/rel", O_RDONLY));
    char c[5] = { 0 };
    CHECK(read(fd, c, 4) == 4, "read");
    printf("d/rel -> e/f reads: %s\n", c);
    CHECK(strcmp(c, "deep") == 0, "relative target");
    EXPECT("d/e/up/up/up/f resolves", stat("d/e/up/up/up/f", &st) == 0 && S_ISREG(st.st_mode));
    ct_pass();
}
