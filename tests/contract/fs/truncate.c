/* Contract: truncate/ftruncate shrink a file (data beyond is gone, growing
 * again reads zeros) and grow it with zeros, without moving the offset;
 * ftruncate needs a writable fd (EINVAL otherwise), a negative length is
 * EINVAL, a directory EISDIR. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "0123456789abcdefghij", 0644);
    int fd = OK(open("f", O_RDWR));
    OK(lseek(fd, 15, SEEK_SET));
    OK(ftruncate(fd, 10));
    struct stat st;
    OK(fstat(fd, &st));
    printf("after ftruncate 10: size %ld\n", (long)st.st_size);
    CHECK(st.st_size == 10, "shrunk");
    EXPECT("the offset did not move", lseek(fd, 0, SEEK_CUR) == 15);
    char c;
    EXPECT("read at 15 is EOF", read(fd, &c, 1) == 0);

    OK(ftruncate(fd, 5000));
    OK(fstat(fd, &st));
    printf("after ftruncate 5000: size %ld\n", (long)st.st_size);
    CHECK(st.st_size == 5000, "grown");
    static char buf[5000];
    CHECK(pread(fd, buf, sizeof buf, 0) == 5000, "read it all");
    int zero = 1;
    for (int i = 10; i < 5000; i++) zero &= buf[i] == 0;
    EXPECT("the old data is kept", memcmp(buf, "0123456789", 10) == 0);
    EXPECT("the grown part, including the cut bytes, reads zero", zero);

    OK(truncate("f", 3));
    OK(stat("f", &st));
    memset(buf, 0, 8);
    CHECK(pread(fd, buf, 8, 0) == 3, "3 bytes left");
    printf("after truncate 3: size %ld, contents %s\n", (long)st.st_size, buf);
    OK(truncate("f", 0));
    OK(stat("f", &st));
    EXPECT("truncate to 0", st.st_size == 0);

    int ro = OK(open("f", O_RDONLY));
    EXPECT_ERRNO("ftruncate on an O_RDONLY fd", ftruncate(ro, 1), EINVAL);
    EXPECT_ERRNO("ftruncate with a negative length", ftruncate(fd, -1), EINVAL);
    EXPECT_ERRNO("truncate with a negative length", truncate("f", -1), EINVAL);
    OK(mkdir("d", 0755));
    EXPECT_ERRNO("truncate of a directory", truncate("d", 0), EISDIR);
    EXPECT_ERRNO("truncate of a missing file", truncate("missing", 0), ENOENT);
    int p[2];
    OK(pipe(p));
    EXPECT_ERRNO("ftruncate of a pipe", ftruncate(p[1], 0), EINVAL);

    /* A mapping sees the data a truncate removed come back as zeros. */
    ct_write_file("g", "abcdef", 0644);
    OK(truncate("g", 2));
    OK(truncate("g", 6));
    int g = OK(open("g", O_RDONLY));
    char six[6];
    CHECK(read(g, six, 6) == 6, "read 6");
    EXPECT("shrink then grow: the cut bytes read zero", memcmp(six, "ab\0\0\0\0", 6) == 0);
    ct_pass();
}
