/* Contract: lseek SEEK_SET/SEEK_CUR/SEEK_END compute offsets as documented;
 * a negative result or bad whence is EINVAL; pipes are ESPIPE; seeking past
 * EOF and writing leaves a hole that reads back as zeros. */
#include "contract.h"

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "0123456789", 0644);
    int fd = OK(open("f", O_RDWR));
    printf("SEEK_END 0: %ld\n", (long)lseek(fd, 0, SEEK_END));
    printf("SEEK_END -3: %ld\n", (long)lseek(fd, -3, SEEK_END));
    printf("SEEK_CUR +2: %ld\n", (long)lseek(fd, 2, SEEK_CUR));
    printf("SEEK_CUR 0: %ld\n", (long)lseek(fd, 0, SEEK_CUR));
    printf("SEEK_SET 4: %ld\n", (long)lseek(fd, 4, SEEK_SET));
    CHECK(lseek(fd, 0, SEEK_CUR) == 4, "offset 4");
    char c;
    CHECK(read(fd, &c, 1) == 1 && c == '4', "read at offset 4");
    EXPECT_ERRNO("SEEK_SET -1", lseek(fd, -1, SEEK_SET), EINVAL);
    EXPECT_ERRNO("SEEK_CUR to before 0", lseek(fd, -100, SEEK_CUR), EINVAL);
    EXPECT_ERRNO("SEEK_END to before 0", lseek(fd, -11, SEEK_END), EINVAL);
    EXPECT_ERRNO("whence 42", lseek(fd, 0, 42), EINVAL);
    EXPECT("failed seeks keep the offset", lseek(fd, 0, SEEK_CUR) == 5);
    EXPECT_ERRNO("lseek on a closed fd", lseek(99, 0, SEEK_SET), EBADF);

    int p[2];
    OK(pipe(p));
    EXPECT_ERRNO("lseek on a pipe", lseek(p[0], 0, SEEK_CUR), ESPIPE);
    EXPECT_ERRNO("lseek on a pipe's write end", lseek(p[1], 0, SEEK_SET), ESPIPE);

    /* Past EOF: the offset moves, the size does not until a write. */
    printf("SEEK_SET 5000: %ld\n", (long)lseek(fd, 5000, SEEK_SET));
    struct stat st;
    OK(fstat(fd, &st));
    EXPECT("seeking alone does not extend the file", st.st_size == 10);
    EXPECT("read past EOF returns 0", read(fd, &c, 1) == 0);
    CHECK(write(fd, "X", 1) == 1, "write at 5000");
    OK(fstat(fd, &st));
    printf("size after writing at 5000: %ld\n", (long)st.st_size);
    CHECK(st.st_size == 5001, "size 5001");
    static char hole[4990];
    CHECK(pread(fd, hole, sizeof hole, 10) == (ssize_t)sizeof hole, "read the hole");
    int zero = 1;
    for (size_t i = 0; i < sizeof hole; i++) zero &= hole[i] == 0;
    EXPECT("the hole reads as zeros", zero);
    CHECK(pread(fd, &c, 1, 5000) == 1 && c == 'X', "byte after the hole");

    /* A seek far beyond: 1 TiB offset is allowed on a regular file. */
    off_t far = (off_t)1 << 40;
    EXPECT("SEEK_SET to 1 TiB works", lseek(fd, far, SEEK_SET) == far);
    EXPECT("lseek on /dev/null returns 0", lseek(OK(open("/dev/null", O_RDONLY)), 123, SEEK_SET) == 0);
    ct_pass();
}
