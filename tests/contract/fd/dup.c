/* Contract: dup returns the lowest free fd; dup2 closes and reuses its
 * target (and returns it unchanged when old == new); dup3 with old == new is
 * EINVAL and O_CLOEXEC sets FD_CLOEXEC; duplicates share the file offset and
 * status flags but not FD_CLOEXEC. */
#include "contract.h"
#include <sys/resource.h>
#include <sys/syscall.h>

/* musl implements dup3 without O_CLOEXEC as dup2: ask the kernel itself. */
static long raw_dup3(int old, int new, int flags) { return syscall(SYS_dup3, old, new, flags); }

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("f", "abcdef", 0644);
    int fd = OK(open("f", O_RDONLY | O_CLOEXEC));
    close(fd + 1);
    close(fd + 2);
    int d = OK(dup(fd));
    EXPECT("dup returns the lowest free fd", d == fd + 1);
    EXPECT("dup clears FD_CLOEXEC", fcntl(d, F_GETFD) == 0 && fcntl(fd, F_GETFD) == FD_CLOEXEC);

    char c;
    CHECK(read(fd, &c, 1) == 1 && c == 'a', "read via the original");
    CHECK(read(d, &c, 1) == 1, "read via the duplicate");
    printf("read via the duplicate after one byte via the original: '%c'\n", c);
    CHECK(c == 'b', "duplicates share the offset");
    EXPECT("lseek seen by both", lseek(fd, 0, SEEK_CUR) == 2 && lseek(d, 0, SEEK_CUR) == 2);
    OK(fcntl(d, F_SETFL, O_NONBLOCK));
    EXPECT("status flags are shared", (fcntl(fd, F_GETFL) & O_NONBLOCK) != 0);

    int target = OK(open("/dev/null", O_RDONLY));
    EXPECT("dup2 returns the target", dup2(fd, target) == target);
    CHECK(read(target, &c, 1) == 1, "read via dup2 target");
    EXPECT("dup2 closed /dev/null and now reads the file", c == 'c');
    EXPECT("dup2(fd, fd) returns fd", dup2(fd, fd) == fd);
    EXPECT("dup2 to a high unused fd", dup2(fd, 100) == 100 && fcntl(100, F_GETFD) == 0);
    EXPECT_ERRNO("dup2 from a closed fd", dup2(99, 101), EBADF);
    EXPECT("and the target stays closed", fcntl(101, F_GETFD) == -1 && errno == EBADF);
    EXPECT_ERRNO("dup3(fd, fd, 0)", raw_dup3(fd, fd, 0), EINVAL);
    EXPECT_ERRNO("dup3 with bad flags", raw_dup3(fd, 102, O_NONBLOCK), EINVAL);
    EXPECT("dup3 O_CLOEXEC sets FD_CLOEXEC", raw_dup3(fd, 102, O_CLOEXEC) == 102 && fcntl(102, F_GETFD) == FD_CLOEXEC);
    EXPECT_ERRNO("dup of a closed fd", dup(99), EBADF);
    EXPECT_ERRNO("dup2 to a negative fd", dup2(fd, -1), EBADF);

    struct rlimit lim;
    OK(getrlimit(RLIMIT_NOFILE, &lim));
    EXPECT_ERRNO("dup2 to RLIMIT_NOFILE", dup2(fd, (int)lim.rlim_cur), EBADF);

    /* Closing one duplicate leaves the others working. */
    close(fd);
    EXPECT("the other duplicates still read", read(d, &c, 1) == 1 && c == 'd');
    ct_pass();
}
