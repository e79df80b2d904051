/* Contract: pread and pwrite use the given offset and leave the file offset
 * alone; pwrite past EOF extends the file; on a pipe they are ESPIPE; a
 * negative offset is EINVAL. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "0123456789", 0644);
    int fd = OK(open("f", O_RDWR));
    OK(lseek(fd, 2, SEEK_SET));
    char buf[8] = { 0 };
    CHECK(pread(fd, buf, 3, 6) == 3, "pread 3 at 6");
    printf("pread 3 bytes at 6: %s\n", buf);
    CHECK(strcmp(buf, "678") == 0, "pread data");
    EXPECT("offset still 2 after pread", lseek(fd, 0, SEEK_CUR) == 2);

    CHECK(pwrite(fd, "AB", 2, 4) == 2, "pwrite");
    EXPECT("offset still 2 after pwrite", lseek(fd, 0, SEEK_CUR) == 2);
    memset(buf, 0, sizeof buf);
    CHECK(read(fd, buf, 4) == 4, "read");
    printf("read 4 at the offset: %s\n", buf);
    CHECK(strcmp(buf, "23AB") == 0, "pwrite landed at 4");

    EXPECT("pread at EOF returns 0", pread(fd, buf, 4, 10) == 0);
    memset(buf, 0, sizeof buf);
    EXPECT("pread across EOF is short", pread(fd, buf, 8, 7) == 3 && strcmp(buf, "789") == 0);
    CHECK(pwrite(fd, "Z", 1, 20) == 1, "pwrite past EOF");
    struct stat st;
    OK(fstat(fd, &st));
    printf("size after pwrite at 20: %ld\n", (long)st.st_size);
    CHECK(st.st_size == 21, "extended");

    EXPECT_ERRNO("pread with a negative offset", pread(fd, buf, 1, -1), EINVAL);
    EXPECT_ERRNO("pwrite with a negative offset", pwrite(fd, buf, 1, -1), EINVAL);
    int p[2];
    OK(pipe(p));
    EXPECT_ERRNO("pwrite on a pipe", pwrite(p[1], "x", 1, 0), ESPIPE);
    EXPECT_ERRNO("pread on a pipe", pread(p[0], buf, 1, 0), ESPIPE);
    int wo = OK(open("f", O_WRONLY));
    EXPECT_ERRNO("pread on O_WRONLY", pread(wo, buf, 1, 0), EBADF);
    ct_pass();
}
