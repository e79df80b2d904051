/* Contract: F_DUPFD returns the lowest free fd >= its argument, without
 * FD_CLOEXEC; F_DUPFD_CLOEXEC sets it; a negative or too large argument is
 * EINVAL. */
#include "contract.h"
#include <sys/resource.h>

int main(void)
{
    int fd = OK(open("/dev/null", O_RDONLY));
    for (int i = 10; i < 20; i++) close(i);
    int a = OK(fcntl(fd, F_DUPFD, 10));
    printf("F_DUPFD 10 with 10 free: %d\n", a);
    CHECK(a == 10, "lowest >= 10");
    int b = OK(fcntl(fd, F_DUPFD, 10));
    printf("F_DUPFD 10 with 10 taken: %d\n", b);
    CHECK(b == 11, "next free");
    OK(dup2(fd, 12));
    OK(dup2(fd, 14));
    int c = OK(fcntl(fd, F_DUPFD, 11));
    printf("F_DUPFD 11 with 10-12 and 14 taken: %d\n", c);
    CHECK(c == 13, "fills the gap");
    close(10);
    int d = OK(fcntl(fd, F_DUPFD_CLOEXEC, 5));
    EXPECT("F_DUPFD_CLOEXEC sets FD_CLOEXEC", fcntl(d, F_GETFD) == FD_CLOEXEC);
    EXPECT("F_DUPFD leaves it clear", fcntl(a == 10 ? 11 : a, F_GETFD) == 0);
    EXPECT_ERRNO("F_DUPFD with -1", fcntl(fd, F_DUPFD, -1), EINVAL);
    struct rlimit lim;
    OK(getrlimit(RLIMIT_NOFILE, &lim));
    EXPECT_ERRNO("F_DUPFD with RLIMIT_NOFILE", fcntl(fd, F_DUPFD, (int)lim.rlim_cur), EINVAL);

    /* With RLIMIT_NOFILE lowered, dup beyond it is EMFILE. */
    struct rlimit low = { 20, lim.rlim_max };
    OK(setrlimit(RLIMIT_NOFILE, &low));
    OK(dup2(fd, 19));
    EXPECT_ERRNO("F_DUPFD 19 when 19 is the last slot and taken", fcntl(fd, F_DUPFD, 19), EMFILE);
    EXPECT_ERRNO("dup2 to 20 with RLIMIT_NOFILE 20", dup2(fd, 20), EBADF);
    OK(setrlimit(RLIMIT_NOFILE, &lim));
    ct_pass();
}
