/* Contract: F_GETFL reports the access mode and status flags; F_SETFL
 * changes O_NONBLOCK and O_APPEND (taking effect at once) but not the access
 * mode; F_GETFD/F_SETFD hold FD_CLOEXEC; a bad command is EINVAL. */
#include "contract.h"

static char const *mode_name(int flags)
{
    switch (flags & O_ACCMODE) {
    case O_RDONLY: return "O_RDONLY";
    case O_WRONLY: return "O_WRONLY";
    case O_RDWR: return "O_RDWR";
    }
    return "?";
}

int main(void)
{
    ct_enter_tmpdir();
    int fd = OK(open("f", O_RDWR | O_CREAT, 0644));
    int fl = OK(fcntl(fd, F_GETFL));
    printf("open O_RDWR: access mode %s, O_NONBLOCK %s, O_APPEND %s\n", mode_name(fl),
           fl & O_NONBLOCK ? "yes" : "no", fl & O_APPEND ? "yes" : "no");
    CHECK((fl & O_ACCMODE) == O_RDWR && !(fl & (O_NONBLOCK | O_APPEND)), "initial flags");
    EXPECT("O_CREAT is not kept", !(fl & O_CREAT));

    OK(fcntl(fd, F_SETFL, fl | O_APPEND | O_NONBLOCK));
    fl = OK(fcntl(fd, F_GETFL));
    printf("after F_SETFL: O_NONBLOCK %s, O_APPEND %s\n", fl & O_NONBLOCK ? "yes" : "no", fl & O_APPEND ? "yes" : "no");
    CHECK((fl & (O_NONBLOCK | O_APPEND)) == (O_NONBLOCK | O_APPEND), "flags set");
    CHECK(write(fd, "abc", 3) == 3, "write");
    OK(lseek(fd, 0, SEEK_SET));
    CHECK(write(fd, "de", 2) == 2, "write");
    char buf[8] = { 0 };
    CHECK(pread(fd, buf, sizeof buf - 1, 0) == 5, "pread");
    printf("O_APPEND set by F_SETFL applies: %s\n", buf);
    CHECK(strcmp(buf, "abcde") == 0, "appended");

    OK(fcntl(fd, F_SETFL, O_WRONLY));
    fl = OK(fcntl(fd, F_GETFL));
    EXPECT("F_SETFL cannot change the access mode", (fl & O_ACCMODE) == O_RDWR);
    EXPECT("F_SETFL 0-ish clears O_APPEND and O_NONBLOCK", !(fl & (O_APPEND | O_NONBLOCK)));

    int p[2];
    OK(pipe(p));
    fl = OK(fcntl(p[0], F_GETFL));
    EXPECT("pipe ends: read end O_RDONLY, write end O_WRONLY",
           (fl & O_ACCMODE) == O_RDONLY && (fcntl(p[1], F_GETFL) & O_ACCMODE) == O_WRONLY);
    OK(fcntl(p[0], F_SETFL, O_NONBLOCK));
    char c;
    EXPECT_ERRNO("read of an empty O_NONBLOCK pipe", read(p[0], &c, 1), EAGAIN);
    OK(fcntl(p[0], F_SETFL, 0));

    EXPECT("FD_CLOEXEC initially clear", fcntl(fd, F_GETFD) == 0);
    OK(fcntl(fd, F_SETFD, FD_CLOEXEC));
    EXPECT("F_SETFD sets FD_CLOEXEC", fcntl(fd, F_GETFD) == FD_CLOEXEC);
    OK(fcntl(fd, F_SETFD, 0));
    EXPECT("F_SETFD clears it", fcntl(fd, F_GETFD) == 0);

    int wo = OK(open("f", O_WRONLY));
    EXPECT("O_WRONLY reported", (fcntl(wo, F_GETFL) & O_ACCMODE) == O_WRONLY);
    EXPECT_ERRNO("read on O_WRONLY", read(wo, &c, 1), EBADF);
    EXPECT_ERRNO("F_GETFL on a closed fd", fcntl(99, F_GETFL), EBADF);
    EXPECT_ERRNO("unknown fcntl command", fcntl(fd, 12345), EINVAL);
    ct_pass();
}
