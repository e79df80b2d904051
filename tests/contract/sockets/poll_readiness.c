/* Contract: poll, select and epoll on unix sockets, as Linux reports them:
 * a connected stream socket is POLLOUT, and POLLIN once data waits; the
 * peer's shutdown(SHUT_WR) adds POLLIN|POLLRDHUP; its close adds POLLHUP; a
 * full socket is not POLLOUT; an unconnected stream socket is
 * POLLOUT|POLLHUP; a listener is POLLIN when a connection waits; a reset
 * gives POLLERR. A poll blocked on a socket wakes when another process
 * writes, and epoll reports the same events. */
#include "contract.h"
#include <poll.h>
#include <stddef.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/un.h>

static void show(char const *what, int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };
    int n = poll(&p, 1, 0);
    CHECK(n >= 0, "poll");
    short r = p.revents;
    printf("%s:%s%s%s%s%s%s\n", what, r == 0 ? " none" : "", r & POLLIN ? " POLLIN" : "", r & POLLOUT ? " POLLOUT" : "",
           r & POLLRDHUP ? " POLLRDHUP" : "", r & POLLHUP ? " POLLHUP" : "", r & POLLERR ? " POLLERR" : "");
}

int main(void)
{
    ct_enter_tmpdir();
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    show("fresh stream pair", sv[0]);
    CHECK(write(sv[0], "x", 1) == 1, "write");
    show("peer after a write", sv[1]);
    show("writer after a write", sv[0]);
    char c;
    CHECK(read(sv[1], &c, 1) == 1, "read");
    show("peer after reading it", sv[1]);
    OK(shutdown(sv[0], SHUT_WR));
    show("peer after SHUT_WR", sv[1]);
    show("the end that shut down writing", sv[0]);
    OK(shutdown(sv[1], SHUT_WR));
    show("after both SHUT_WR", sv[0]);
    close(sv[0]);
    close(sv[1]);

    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[0], "x", 1) == 1, "write");
    close(sv[0]);
    show("peer closed, data left", sv[1]);
    CHECK(read(sv[1], &c, 1) == 1, "read");
    show("peer closed, drained", sv[1]);
    close(sv[1]);

    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[0], "unread", 6) == 6, "write");
    close(sv[1]);
    show("peer closed leaving our data unread (reset)", sv[0]);
    close(sv[0]);

    /* Full. */
    OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    static char chunk[1000];
    while (write(sv[0], chunk, sizeof chunk) > 0) { }
    show("a full writer", sv[0]);
    static char all[1 << 20];
    while (read(sv[1], all, sizeof all) > 0) { }
    show("the writer after the reader drained", sv[0]);
    close(sv[0]);
    close(sv[1]);

    /* Unconnected and listening. */
    int s = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    show("unconnected stream socket", s);
    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "l" };
    socklen_t addr_len = offsetof(struct sockaddr_un, sun_path) + 2;
    OK(bind(s, (struct sockaddr *)&addr, addr_len));
    OK(listen(s, 4));
    show("listener, nothing pending", s);
    int client = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    OK(connect(client, (struct sockaddr *)&addr, addr_len));
    show("listener, a connection pending", s);
    show("connected client", client);
    int conn = OK(accept(s, NULL, NULL));
    show("listener after accept", s);
    show("accepted socket", conn);
    int d = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    show("unconnected datagram socket", d);
    int sp = OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    show("unconnected seqpacket socket", sp);
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    close(sv[1]);
    show("datagram pair, peer closed", sv[0]);
    close(sv[0]);
    OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sv));
    close(sv[1]);
    show("seqpacket pair, peer closed", sv[0]);
    close(sv[0]);

    /* select. */
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    CHECK(write(sv[0], "x", 1) == 1, "write");
    fd_set r, w;
    FD_ZERO(&r);
    FD_ZERO(&w);
    FD_SET(sv[1], &r);
    FD_SET(sv[0], &r);
    FD_SET(sv[0], &w);
    struct timeval zero = { 0, 0 };
    int n = select(sv[1] + 1, &r, &w, NULL, &zero);
    printf("select: %d ready; reader readable %d, writer readable %d, writer writable %d\n", n, FD_ISSET(sv[1], &r),
           FD_ISSET(sv[0], &r), FD_ISSET(sv[0], &w));

    /* epoll, and a blocked wait woken by a child. */
    CHECK(read(sv[1], &c, 1) == 1, "read");
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP, .data.fd = sv[1] };
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, sv[1], &ev));
    struct epoll_event out[4];
    printf("epoll_wait on an empty socket: %d\n", epoll_wait(ep, out, 4, 0));
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(20000);
        _exit(write(sv[0], "y", 1) == 1 ? 0 : 1);
    }
    n = epoll_wait(ep, out, 4, 5000);
    printf("epoll_wait woken by a child's write: %d, EPOLLIN %d\n", n, n == 1 && (out[0].events & EPOLLIN) != 0);
    ct_wait(child);
    CHECK(read(sv[1], &c, 1) == 1, "read");
    child = ct_fork();
    if (child == 0) {
        usleep(20000);
        shutdown(sv[0], SHUT_WR);
        _exit(0);
    }
    struct pollfd p = { .fd = sv[1], .events = POLLIN | POLLRDHUP };
    n = poll(&p, 1, 5000);
    printf("poll woken by a child's shutdown: %d,%s%s\n", n, p.revents & POLLIN ? " POLLIN" : "",
           p.revents & POLLRDHUP ? " POLLRDHUP" : "");
    ct_wait(child);
    n = epoll_wait(ep, out, 4, 0);
    printf("epoll after the shutdown: %d,%s%s\n", n, n > 0 && (out[0].events & EPOLLIN) ? " EPOLLIN" : "",
           n > 0 && (out[0].events & EPOLLRDHUP) ? " EPOLLRDHUP" : "");
    ct_pass();
}
