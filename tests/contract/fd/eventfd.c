/* Contract: an eventfd is a 64-bit counter: read returns and resets it (or,
 * with EFD_SEMAPHORE, returns 1 and decrements), writes add to it, reading
 * zero with EFD_NONBLOCK is EAGAIN, buffers under 8 bytes and adding
 * 0xffffffffffffffff are EINVAL, and poll reports POLLIN when non-zero. */
#include "contract.h"
#include <poll.h>
#include <stdint.h>
#include <sys/eventfd.h>

static int readable(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT };
    CHECK(poll(&p, 1, 0) >= 0, "poll");
    return (p.revents & POLLIN) != 0;
}

int main(void)
{
    int fd = OK(eventfd(3, EFD_NONBLOCK | EFD_CLOEXEC));
    EXPECT("EFD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
    EXPECT("EFD_NONBLOCK", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);
    EXPECT("initial value 3: readable", readable(fd));
    uint64_t v = 0;
    CHECK(read(fd, &v, 8) == 8, "read 8 bytes");
    printf("read: %llu\n", (unsigned long long)v);
    CHECK(v == 3, "initial value");
    EXPECT("after read: not readable", !readable(fd));
    EXPECT_ERRNO("read at zero", read(fd, &v, 8), EAGAIN);

    v = 5;
    CHECK(write(fd, &v, 8) == 8, "write 5");
    v = 7;
    CHECK(write(fd, &v, 8) == 8, "write 7");
    CHECK(read(fd, &v, 8) == 8, "read");
    printf("after writing 5 and 7: %llu\n", (unsigned long long)v);
    CHECK(v == 12, "sum");

    EXPECT_ERRNO("read with a 4-byte buffer", read(fd, &v, 4), EINVAL);
    v = UINT64_MAX;
    EXPECT_ERRNO("write 0xffffffffffffffff", write(fd, &v, 8), EINVAL);
    v = UINT64_MAX - 1;
    CHECK(write(fd, &v, 8) == 8, "write the maximum");
    v = 1;
    EXPECT_ERRNO("write past the maximum (non-blocking)", write(fd, &v, 8), EAGAIN);
    CHECK(read(fd, &v, 8) == 8 && v == UINT64_MAX - 1, "read the maximum");

    int sem = OK(eventfd(2, EFD_SEMAPHORE | EFD_NONBLOCK));
    uint64_t a = 0, b = 0;
    CHECK(read(sem, &a, 8) == 8 && read(sem, &b, 8) == 8, "two reads");
    printf("EFD_SEMAPHORE from 2: read %llu, then %llu\n", (unsigned long long)a, (unsigned long long)b);
    CHECK(a == 1 && b == 1, "semaphore reads 1");
    EXPECT_ERRNO("third read", read(sem, &a, 8), EAGAIN);

    /* A blocking eventfd wakes when another process writes. */
    int blocking = OK(eventfd(0, 0));
    pid_t child = ct_fork();
    if (child == 0) {
        uint64_t one = 9;
        _exit(write(blocking, &one, 8) == 8 ? 0 : 1);
    }
    CHECK(read(blocking, &v, 8) == 8, "blocking read");
    printf("blocking read after a child's write: %llu\n", (unsigned long long)v);
    CHECK(v == 9, "child's value");
    ct_wait(child);
    ct_pass();
}
