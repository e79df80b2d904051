/* Contract: SCM_RIGHTS passes open files over a unix socket: the receiver
 * gets new descriptors for the same open file descriptions (a shared
 * offset), MSG_CMSG_CLOEXEC marks them close-on-exec, a control buffer too
 * small for all of them installs what fits and sets MSG_CTRUNC (the rest
 * are closed), and a stream read stops after the message that carried
 * files. A bad descriptor is EBADF, a bad cmsg_len EINVAL. With SO_PASSCRED
 * the receiver gets SCM_CREDENTIALS naming the sender. */
#include "contract.h"
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

static int send_fds(int s, char const *data, int const *fds, int count)
{
    union {
        char buf[CMSG_SPACE(4 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { (void *)data, strlen(data) };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    if (count) {
        msg.msg_control = control.buf;
        msg.msg_controllen = CMSG_SPACE(count * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(count * sizeof(int));
        memcpy(CMSG_DATA(c), fds, count * sizeof(int));
    }
    return sendmsg(s, &msg, 0);
}

/* Receives into `data`; returns the number of fds put in `fds`. */
static int receive_fds(int s, char *data, size_t size, int *fds, size_t control_size, int flags, int *msg_flags,
                       ssize_t *length)
{
    union {
        char buf[256];
        struct cmsghdr align;
    } control;
    struct iovec iov = { data, size };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control_size ? control.buf : NULL,
                          .msg_controllen = control_size };
    *length = recvmsg(s, &msg, flags);
    CHECK(*length >= 0, "recvmsg");
    *msg_flags = msg.msg_flags;
    int count = 0;
    for (struct cmsghdr *c = CMSG_FIRSTHDR(&msg); c; c = CMSG_NXTHDR(&msg, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS) continue;
        int n = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
        memcpy(fds + count, CMSG_DATA(c), n * sizeof(int));
        count += n;
    }
    return count;
}

int main(void)
{
    ct_enter_tmpdir();
    ct_write_file("file", "0123456789", 0644);
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    int file = OK(open("file", O_RDONLY));
    char buf[64];
    CHECK(read(file, buf, 2) == 2, "read 2");
    int p[2];
    OK(pipe(p));
    int out[2] = { file, p[1] };
    printf("sendmsg with two files: %d\n", send_fds(sv[0], "fds", out, 2));
    close(file);
    close(p[1]);

    int got[8], flags;
    ssize_t n;
    int count = receive_fds(sv[1], buf, sizeof buf, got, 256, 0, &flags, &n);
    printf("recvmsg: \"%.*s\", %d files, MSG_CTRUNC %d\n", (int)n, buf, count, !!(flags & MSG_CTRUNC));
    CHECK(count == 2, "two files");
    n = read(got[0], buf, sizeof buf);
    printf("the passed file continues at the shared offset: \"%.*s\"\n", (int)n, buf);
    CHECK(write(got[1], "via pipe", 8) == 8, "write to the passed pipe end");
    n = read(p[0], buf, sizeof buf);
    printf("through the passed pipe end: \"%.*s\"\n", (int)n, buf);
    printf("received without MSG_CMSG_CLOEXEC: FD_CLOEXEC %d\n", fcntl(got[0], F_GETFD));
    close(got[0]);
    close(got[1]);

    /* MSG_CMSG_CLOEXEC. */
    int one = OK(open("file", O_RDONLY));
    CHECK(send_fds(sv[0], "c", &one, 1) == 1, "send");
    count = receive_fds(sv[1], buf, sizeof buf, got, 256, MSG_CMSG_CLOEXEC, &flags, &n);
    printf("with MSG_CMSG_CLOEXEC: %d file(s), FD_CLOEXEC %d\n", count, fcntl(got[0], F_GETFD));
    close(got[0]);

    /* Room for one of two: one installed, the other closed. */
    int q[2];
    OK(pipe(q));
    int two[2] = { one, q[1] };
    CHECK(send_fds(sv[0], "t", two, 2) == 1, "send two");
    close(q[1]);
    count = receive_fds(sv[1], buf, sizeof buf, got, CMSG_LEN(sizeof(int)), 0, &flags, &n);
    printf("a control buffer with room for one of two: %d installed, MSG_CTRUNC %d\n", count, !!(flags & MSG_CTRUNC));
    printf("the pipe's write end that did not fit was closed: read gives %zd\n", read(q[0], buf, sizeof buf));
    close(got[0]);

    /* No control buffer at all. */
    CHECK(send_fds(sv[0], "none", &one, 1) == 4, "send");
    count = receive_fds(sv[1], buf, sizeof buf, got, 0, 0, &flags, &n);
    printf("no control buffer: data \"%.*s\", %d files, MSG_CTRUNC %d\n", (int)n, buf, count, !!(flags & MSG_CTRUNC));

    /* A stream read stops after the message with files. */
    CHECK(send_fds(sv[0], "ab", &one, 1) == 2, "send ab with a file");
    CHECK(write(sv[0], "cd", 2) == 2, "write cd");
    count = receive_fds(sv[1], buf, sizeof buf, got, 256, 0, &flags, &n);
    printf("a read after a message with a file: \"%.*s\" (%d file)", (int)n, buf, count);
    close(got[0]);
    n = read(sv[1], buf, sizeof buf);
    printf(", then \"%.*s\"\n", (int)n, buf);

    /* A socket passed over a socket. */
    int inner[2];
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, inner));
    CHECK(send_fds(sv[0], "s", &inner[1], 1) == 1, "send a socket");
    close(inner[1]);
    count = receive_fds(sv[1], buf, sizeof buf, got, 256, 0, &flags, &n);
    CHECK(count == 1, "one socket");
    CHECK(send(got[0], "through", 7, 0) == 7, "send through the passed socket");
    n = recv(inner[0], buf, sizeof buf, 0);
    printf("a datagram through a passed socket: \"%.*s\"\n", (int)n, buf);
    close(got[0]);

    /* Datagrams carry files too. */
    int dv[2];
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, dv));
    CHECK(send_fds(dv[0], "dgram", &one, 1) == 5, "datagram with a file");
    count = receive_fds(dv[1], buf, sizeof buf, got, 256, 0, &flags, &n);
    printf("a datagram with a file: \"%.*s\", %d file\n", (int)n, buf, count);
    close(got[0]);

    /* Errors. */
    int bad = 99;
    EXPECT_ERRNO("SCM_RIGHTS with a closed descriptor", send_fds(sv[0], "x", &bad, 1), EBADF);
    union {
        char buf[CMSG_SPACE(sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { "x", 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = sizeof control.buf + 8;
    EXPECT_ERRNO("cmsg_len past the control buffer", sendmsg(sv[0], &msg, 0), EINVAL);
    c->cmsg_len = CMSG_LEN(sizeof(int));
    c->cmsg_type = 77;
    EXPECT_ERRNO("an unknown SOL_SOCKET control message", sendmsg(sv[0], &msg, 0), EINVAL);

    /* SCM_CREDENTIALS. */
    int on = 1;
    OK(setsockopt(sv[1], SOL_SOCKET, SO_PASSCRED, &on, sizeof on));
    pid_t child = ct_fork();
    if (child == 0) _exit(write(sv[0], "cred", 4) == 4 ? 0 : 1);
    ct_wait(child);
    union {
        char buf[CMSG_SPACE(sizeof(struct ucred))];
        struct cmsghdr align;
    } cc;
    struct iovec riov = { buf, sizeof buf };
    struct msghdr rmsg = { .msg_iov = &riov, .msg_iovlen = 1, .msg_control = cc.buf, .msg_controllen = sizeof cc.buf };
    n = recvmsg(sv[1], &rmsg, 0);
    struct cmsghdr *rc = CMSG_FIRSTHDR(&rmsg);
    CHECK(n == 4 && rc && rc->cmsg_type == SCM_CREDENTIALS, "SCM_CREDENTIALS");
    struct ucred cred;
    memcpy(&cred, CMSG_DATA(rc), sizeof cred);
    printf("SCM_CREDENTIALS: pid is the child's %d, uid %d, gid %d, cmsg_len %d\n", cred.pid == child, (int)cred.uid,
           (int)cred.gid, (int)rc->cmsg_len);
    ct_pass();
}
