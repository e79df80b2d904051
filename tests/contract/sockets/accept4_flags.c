/* Contract: SOCK_NONBLOCK and SOCK_CLOEXEC in socket(2)'s and
 * socketpair(2)'s type, and accept4(2)'s flags, set O_NONBLOCK on the new
 * file and FD_CLOEXEC on the new descriptor; plain accept sets neither and
 * does not inherit the listener's O_NONBLOCK; other accept4 flags are
 * EINVAL. A non-blocking accept with no connection pending is EAGAIN; a
 * blocking one waits for a client. */
#include "contract.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

static void show(char const *what, int fd)
{
    int fl = fcntl(fd, F_GETFL), fd_flags = fcntl(fd, F_GETFD);
    CHECK(fl >= 0 && fd_flags >= 0, "fcntl");
    printf("%s: O_NONBLOCK %s, FD_CLOEXEC %s, access %s\n", what, (fl & O_NONBLOCK) ? "set" : "clear",
           (fd_flags & FD_CLOEXEC) ? "set" : "clear", (fl & O_ACCMODE) == O_RDWR ? "O_RDWR" : "other");
}

int main(int argc, char **argv)
{
    /* Re-executed: say whether the descriptor survived exec. */
    if (argc == 3 && strcmp(argv[1], "check") == 0) return fcntl(atoi(argv[2]), F_GETFD) < 0 ? 4 : 3;
    ct_enter_tmpdir();
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    show("socket()", s);
    close(s);
    s = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    show("socket(SOCK_NONBLOCK|SOCK_CLOEXEC)", s);
    close(s);
    s = OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    show("socket(SOCK_DGRAM|SOCK_CLOEXEC)", s);
    close(s);
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    show("socketpair(SOCK_NONBLOCK) [0]", sv[0]);
    show("socketpair(SOCK_NONBLOCK) [1]", sv[1]);
    char c;
    EXPECT_ERRNO("read on the empty non-blocking pair", read(sv[0], &c, 1), EAGAIN);
    close(sv[0]);
    close(sv[1]);

    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "listener" };
    socklen_t addr_len = offsetof(struct sockaddr_un, sun_path) + sizeof "listener";
    int server = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    OK(bind(server, (struct sockaddr *)&addr, addr_len));
    OK(listen(server, 8));
    EXPECT_ERRNO("accept with nothing pending (non-blocking listener)", accept(server, NULL, NULL), EAGAIN);
    /* musl retries a failed accept4 as accept: ask the kernel itself. */
    EXPECT_ERRNO("accept4 with flag 0x1", syscall(SYS_accept4, server, NULL, NULL, 1), EINVAL);
    EXPECT_ERRNO("accept4 with O_APPEND", syscall(SYS_accept4, server, NULL, NULL, O_APPEND), EINVAL);

    int clients[3];
    for (int i = 0; i < 3; i++) {
        clients[i] = OK(socket(AF_UNIX, SOCK_STREAM, 0));
        OK(connect(clients[i], (struct sockaddr *)&addr, addr_len));
    }
    int a = OK(accept(server, NULL, NULL));
    show("accept (from a non-blocking listener)", a);
    int b = OK(accept4(server, NULL, NULL, SOCK_NONBLOCK));
    show("accept4(SOCK_NONBLOCK)", b);
    int d = OK(accept4(server, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC));
    show("accept4(SOCK_NONBLOCK|SOCK_CLOEXEC)", d);
    EXPECT_ERRNO("non-blocking accepted socket, empty", read(b, &c, 1), EAGAIN);
    /* Connections are accepted in the order they were made. */
    CHECK(write(clients[0], "0", 1) == 1 && write(clients[1], "1", 1) == 1 && write(clients[2], "2", 1) == 1, "write");
    char got[3];
    CHECK(read(a, &got[0], 1) == 1 && read(b, &got[1], 1) == 1 && read(d, &got[2], 1) == 1, "read");
    printf("accept order matches connect order: %s\n", memcmp(got, "012", 3) == 0 ? "yes" : "no");

    /* A blocking accept waits for a child's connect. */
    int blocking = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    struct sockaddr_un addr2 = { .sun_family = AF_UNIX, .sun_path = "blocking" };
    socklen_t addr2_len = offsetof(struct sockaddr_un, sun_path) + sizeof "blocking";
    OK(bind(blocking, (struct sockaddr *)&addr2, addr2_len));
    OK(listen(blocking, 1));
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(20000);
        int cs = socket(AF_UNIX, SOCK_STREAM, 0);
        if (connect(cs, (struct sockaddr *)&addr2, addr2_len) < 0) _exit(1);
        _exit(write(cs, "c", 1) == 1 ? 0 : 2);
    }
    int e = OK(accept4(blocking, NULL, NULL, SOCK_CLOEXEC));
    show("blocking accept4(SOCK_CLOEXEC)", e);
    CHECK(read(e, &c, 1) == 1 && c == 'c', "child's byte");
    printf("child %s\n", status_text(ct_wait(child)));

    /* A close-on-exec accepted socket is gone after exec. */
    child = ct_fork();
    if (child == 0) {
        char fd_text[16];
        snprintf(fd_text, sizeof fd_text, "%d", d);
        execl("/proc/self/exe", argv[0], "check", fd_text, (char *)NULL);
        _exit(5);
    }
    int status = ct_wait(child);
    printf("after exec, the SOCK_CLOEXEC descriptor is %s\n",
           WEXITSTATUS(status) == 4 ? "closed" : WEXITSTATUS(status) == 3 ? "open" : "?");
    ct_pass();
}
