/* Contract: sockets in flight that only reach each other are collected
 * (unix(7), Linux's unix_gc): a socket whose own queue holds its last
 * reference, together with a pipe's write end, is freed once another
 * socket is released -- and the pipe's reader then sees end-of-file. A
 * socket in flight that a descriptor still reaches is left alone. */
#include "contract.h"
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>

static void pass(int over, int const *fds, int count)
{
    union {
        char buf[CMSG_SPACE(4 * sizeof(int))];
        struct cmsghdr align;
    } control;
    memset(&control, 0, sizeof control);
    struct iovec iov = { "x", 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf,
                          .msg_controllen = CMSG_SPACE(count * sizeof(int)) };
    struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(count * sizeof(int));
    memcpy(CMSG_DATA(c), fds, count * sizeof(int));
    CHECK(sendmsg(over, &msg, 0) == 1, "sendmsg");
}

/* Releases a throwaway socket, which lets the collector run. */
static void release_one(void)
{
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    close(sv[0]);
    close(sv[1]);
}

static char const *pipe_state(int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN };
    int n = poll(&p, 1, 2000);
    return n == 1 && (p.revents & POLLHUP) ? "end-of-file" : n == 0 ? "open" : "other";
}

int main(void)
{
    /* A self-cycle: a[1] travels in its own queue, with a pipe's write end. */
    int p[2], a[2];
    OK(pipe(p));
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, a));
    int cargo[2] = { a[1], p[1] };
    pass(a[0], cargo, 2);
    close(p[1]);
    close(a[0]);
    close(a[1]);
    release_one();
    printf("a socket in its own queue, unreachable: the pipe it carried is at %s\n", pipe_state(p[0]));
    close(p[0]);

    /* A two-socket cycle. */
    int b[2], c[2];
    OK(pipe(p));
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, b));
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, c));
    int one[2] = { c[1], p[1] };
    pass(b[0], one, 2); /* c[1] waits in b[1]'s queue */
    pass(c[0], &b[1], 1); /* b[1] waits in c[1]'s queue */
    close(p[1]);
    close(b[0]);
    close(b[1]);
    close(c[0]);
    close(c[1]);
    release_one();
    printf("two sockets in each other's queues: the pipe is at %s\n", pipe_state(p[0]));
    close(p[0]);

    /* Still reachable through a descriptor: nothing is freed. */
    int d[2];
    OK(pipe(p));
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, d));
    int two[2] = { d[1], p[1] };
    pass(d[0], two, 2);
    close(p[1]);
    release_one();
    struct pollfd q = { .fd = p[0], .events = POLLIN };
    printf("the same, but d[1] still open: the pipe is %s\n", poll(&q, 1, 50) == 0 ? "open" : "closed");
    char byte;
    int got[2];
    union {
        char buf[CMSG_SPACE(2 * sizeof(int))];
        struct cmsghdr align;
    } control;
    struct iovec iov = { &byte, 1 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = control.buf, .msg_controllen = sizeof control.buf };
    CHECK(recvmsg(d[1], &msg, 0) == 1, "recvmsg");
    memcpy(got, CMSG_DATA(CMSG_FIRSTHDR(&msg)), sizeof got);
    EXPECT("the files come out intact", write(got[1], "ok", 2) == 2 && read(p[0], &byte, 1) == 1 && byte == 'o');
    ct_pass();
}
