/* Contract: writev writes its buffers in order as one sequence and readv
 * scatters the data across its buffers in order; both return the byte
 * count; preadv/pwritev use the offset without moving it; iovcnt above
 * IOV_MAX is EINVAL and iovcnt 0 returns 0. */
#include "contract.h"
#include <limits.h>
#include <sys/uio.h>

int main(void)
{
    ct_enter_tmpdir();
    int fd = OK(open("f", O_RDWR | O_CREAT | O_TRUNC, 0644));
    struct iovec w[4] = {
        { "hello", 5 }, { "", 0 }, { ", ", 2 }, { "world", 5 },
    };
    ssize_t n = writev(fd, w, 4);
    printf("writev of 5+0+2+5 bytes returned %zd\n", n);
    CHECK(n == 12, "writev count");
    EXPECT("offset advanced by 12", lseek(fd, 0, SEEK_CUR) == 12);

    OK(lseek(fd, 0, SEEK_SET));
    char a[3], b[4], c[10];
    struct iovec r[3] = { { a, 3 }, { b, 4 }, { c, 10 } };
    n = readv(fd, r, 3);
    printf("readv into 3+4+10 returned %zd: \"%.3s\" \"%.4s\" \"%.5s\"\n", n, a, b, c);
    CHECK(n == 12 && memcmp(a, "hel", 3) == 0 && memcmp(b, "lo, ", 4) == 0 && memcmp(c, "world", 5) == 0, "readv");

    struct iovec pw[2] = { { "AB", 2 }, { "CD", 2 } };
    EXPECT("pwritev returns 4", pwritev(fd, pw, 2, 3) == 4);
    EXPECT("pwritev does not move the offset", lseek(fd, 0, SEEK_CUR) == 12);
    char x[6] = { 0 }, y[6] = { 0 };
    struct iovec pr[2] = { { x, 5 }, { y, 5 } };
    n = preadv(fd, pr, 2, 2);
    printf("preadv at 2 returned %zd: \"%s\" \"%s\"\n", n, x, y);
    CHECK(n == 10 && strcmp(x, "lABCD") == 0 && strcmp(y, "world") == 0, "preadv");

    EXPECT("iovcnt 0 returns 0", writev(fd, w, 0) == 0);
    static struct iovec many[IOV_MAX + 1];
    for (int i = 0; i <= IOV_MAX; i++) many[i] = (struct iovec){ "z", 1 };
    EXPECT("IOV_MAX buffers work", writev(fd, many, IOV_MAX) == IOV_MAX);
    EXPECT_ERRNO("IOV_MAX + 1 buffers", writev(fd, many, IOV_MAX + 1), EINVAL);
    EXPECT_ERRNO("negative iovcnt", readv(fd, r, -1), EINVAL);

    /* On a pipe, readv stops at what is there. */
    int p[2];
    OK(pipe(p));
    CHECK(writev(p[1], w, 4) == 12, "writev to a pipe");
    char big[20];
    struct iovec one[2] = { { big, 10 }, { big + 10, 10 } };
    n = readv(p[0], one, 2);
    printf("readv from a pipe holding 12 bytes into 10+10: %zd\n", n);
    CHECK(n == 12 && memcmp(big, "hello, world", 12) == 0, "pipe readv");
    ct_pass();
}
