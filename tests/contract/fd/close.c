/* Contract: close releases the fd number (reused by the next open), a
 * second close is EBADF, and closing one of two duplicates leaves the
 * open file usable through the other; I/O on a closed fd is EBADF. */
#include "contract.h"

int main(void)
{
    int fd = OK(open("/dev/null", O_RDONLY));
    EXPECT("first close succeeds", close(fd) == 0);
    EXPECT_ERRNO("second close", close(fd), EBADF);
    EXPECT_ERRNO("close(-1)", close(-1), EBADF);
    EXPECT_ERRNO("close(100000)", close(100000), EBADF);
    char c;
    EXPECT_ERRNO("read on a closed fd", read(fd, &c, 1), EBADF);
    EXPECT_ERRNO("write on a closed fd", write(fd, &c, 1), EBADF);
    struct stat st;
    EXPECT_ERRNO("fstat on a closed fd", fstat(fd, &st), EBADF);
    int again = OK(open("/dev/null", O_RDONLY));
    EXPECT("the number is reused by the next open", again == fd);

    int p[2];
    OK(pipe(p));
    int copy = OK(dup(p[1]));
    OK(close(p[1]));
    CHECK(write(copy, "k", 1) == 1, "write through the duplicate");
    CHECK(read(p[0], &c, 1) == 1 && c == 'k', "data arrives");
    printf("after closing one of two write ends: data still flows\n");
    OK(close(copy));
    EXPECT("closing the last write end gives EOF", read(p[0], &c, 1) == 0);

    /* A forked child's close does not affect the parent's fd. */
    int q[2];
    OK(pipe(q));
    pid_t child = ct_fork();
    if (child == 0) _exit(close(q[1]) == 0 ? 0 : 1);
    ct_wait(child);
    EXPECT("parent's fd survives the child's close", write(q[1], "x", 1) == 1);
    ct_pass();
}
