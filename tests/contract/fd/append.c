/* Contract: with O_APPEND every write goes to the current end of file, even
 * after lseek and even when another fd has extended the file; the offset
 * ends up at the new end; pwrite on an O_APPEND fd appends too (Linux). */
#include "contract.h"

static void show(char const *what)
{
    char buf[64] = { 0 };
    int fd = OK(open("f", O_RDONLY));
    CHECK(read(fd, buf, sizeof buf - 1) >= 0, "read");
    close(fd);
    printf("%s: \"%s\"\n", what, buf);
}

int main(void)
{
    ct_enter_tmpdir();
    int plain = OK(open("f", O_WRONLY | O_CREAT | O_TRUNC, 0644));
    int app = OK(open("f", O_WRONLY | O_APPEND));
    CHECK(write(plain, "aaa", 3) == 3, "write aaa");
    CHECK(write(app, "BB", 2) == 2, "append BB");
    show("after aaa then append BB");
    EXPECT("append fd offset is the end", lseek(app, 0, SEEK_CUR) == 5);

    OK(lseek(app, 0, SEEK_SET));
    CHECK(write(app, "CC", 2) == 2, "append CC");
    show("after lseek 0 and append CC");
    EXPECT("offset is the end again", lseek(app, 0, SEEK_CUR) == 7);

    /* The plain fd is at 3: it overwrites. */
    CHECK(write(plain, "x", 1) == 1, "overwrite");
    show("after plain write at 3");
    CHECK(pwrite(app, "P", 1, 0) == 1, "pwrite");
    show("after pwrite(O_APPEND fd, offset 0)");
    char buf[16] = { 0 };
    int fd = OK(open("f", O_RDONLY));
    CHECK(read(fd, buf, sizeof buf) == 8, "8 bytes");
    CHECK(memcmp(buf, "aaaxBCCP", 8) == 0, "final contents");

    /* Two processes appending alternately never overwrite each other. */
    int go[2], back[2];
    OK(pipe(go));
    OK(pipe(back));
    pid_t child = ct_fork();
    if (child == 0) {
        int mine = open("f", O_WRONLY | O_APPEND);
        for (int i = 0; i < 3; i++) {
            ct_await(go[0]);
            if (write(mine, "c", 1) != 1) _exit(1);
            ct_post(back[1]);
        }
        _exit(0);
    }
    for (int i = 0; i < 3; i++) {
        CHECK(write(app, "p", 1) == 1, "parent append");
        ct_post(go[1]);
        ct_await(back[0]);
    }
    ct_wait(child);
    show("after alternating appends from two processes");
    struct stat st;
    OK(stat("f", &st));
    CHECK(st.st_size == 14, "size 14");
    ct_pass();
}
