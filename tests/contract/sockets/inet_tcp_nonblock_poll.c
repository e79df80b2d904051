/* Contract: non-blocking TCP and readiness on the loopback. A
 * non-blocking connect says EINPROGRESS even though the loopback answers
 * at once: the socket is then writable with SO_ERROR 0, and the next
 * connect says 0, then EISCONN. Refused, it is POLLERR|POLLHUP with
 * SO_ERROR ECONNREFUSED, and the next connect says ECONNREFUSED (or
 * ECONNABORTED once SO_ERROR was read), after which it may connect again.
 * A full backlog keeps a non-blocking connect in progress (EALREADY).
 * poll, select and epoll report what Linux's tcp_poll does: an unconnected
 * socket is POLLOUT|POLLHUP, a listener POLLIN with a connection waiting, a
 * full socket not POLLOUT; epoll's EPOLLRDHUP and EPOLLET work; a blocked
 * poll wakes when another process writes. FIONBIO, O_NONBLOCK,
 * MSG_DONTWAIT, SO_RCVTIMEO and FIONREAD behave as Linux's. */
#include "inet.h"
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/select.h>
#include <sys/time.h>

static int so_error(int fd)
{
    int error = -1;
    socklen_t len = sizeof error;
    OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len));
    return error;
}

static void connecting(void)
{
    printf("== non-blocking connect\n");
    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET), 5, &bound);
    ct_show_poll("a fresh socket", OK(socket(AF_INET, SOCK_STREAM, 0)));
    ct_show_poll("a listener with nothing waiting", listener);
    int client = OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT_ERRNO("connect to a listener", connect(client, (struct sockaddr *)&bound.ss, bound.len), EINPROGRESS);
    struct pollfd p = { .fd = client, .events = POLLOUT };
    int ready = poll(&p, 1, 5000);
    printf("poll for POLLOUT: %d, revents %#x\n", ready, p.revents);
    printf("SO_ERROR: %s\n", errno_name(so_error(client)));
    ct_show_poll("the listener with a connection waiting", listener);
    SHOW("connect again", connect(client, (struct sockaddr *)&bound.ss, bound.len));
    EXPECT_ERRNO("and again", connect(client, (struct sockaddr *)&bound.ss, bound.len), EISCONN);
    ct_show_name("its peer", client, 1, ct_port_of(&bound.ss), "the listener's");
    int server = OK(accept(listener, NULL, NULL));
    OK(fcntl(listener, F_SETFL, O_NONBLOCK));
    EXPECT_ERRNO("accept with nothing waiting (O_NONBLOCK)", accept(listener, NULL, NULL), EAGAIN);
    OK(fcntl(listener, F_SETFL, 0));
    close(server);
    close(client);

    /* Refused. */
    int closed = OK(socket(AF_INET, SOCK_STREAM, 0));
    struct ct_addr nobody = ct_in4("127.0.0.1", 0);
    OK(bind(closed, (struct sockaddr *)&nobody.ss, nobody.len));
    ct_set_port(&nobody, ct_local_port(closed));
    client = OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT_ERRNO("connect to nobody", connect(client, (struct sockaddr *)&nobody.ss, nobody.len), EINPROGRESS);
    p.fd = client;
    p.events = POLLOUT;
    printf("poll for POLLOUT: %d\n", poll(&p, 1, 5000));
    ct_show_poll("refused", client);
    printf("SO_ERROR: %s\n", errno_name(so_error(client)));
    ct_show_poll("after reading SO_ERROR", client);
    EXPECT_ERRNO("connect again", connect(client, (struct sockaddr *)&nobody.ss, nobody.len), ECONNABORTED);
    OK(fcntl(client, F_SETFL, 0));
    SHOW("then a blocking connect to the listener", connect(client, (struct sockaddr *)&bound.ss, bound.len));
    close(OK(accept(listener, NULL, NULL)));
    close(client);
    client = OK(socket(AF_INET6, SOCK_STREAM | SOCK_NONBLOCK, 0));
    struct ct_addr nobody6 = ct_in6("::ffff:127.0.0.1", ct_port_of(&nobody.ss));
    EXPECT_ERRNO("AF_INET6 connect to nobody", connect(client, (struct sockaddr *)&nobody6.ss, nobody6.len), EINPROGRESS);
    p.fd = client;
    printf("poll for POLLOUT: %d\n", poll(&p, 1, 5000));
    EXPECT_ERRNO("connect again without reading SO_ERROR", connect(client, (struct sockaddr *)&nobody6.ss, nobody6.len),
                 ECONNREFUSED);
    close(client);
    close(closed);

    /* A full backlog: 0 takes one connection; the next waits. */
    int small = ct_listener(ct_loopback(AF_INET), 0, &bound);
    int first = OK(socket(AF_INET, SOCK_STREAM, 0));
    OK(connect(first, (struct sockaddr *)&bound.ss, bound.len));
    int second = OK(socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT_ERRNO("connect to a full backlog", connect(second, (struct sockaddr *)&bound.ss, bound.len), EINPROGRESS);
    ct_show_poll("that connector", second);
    EXPECT_ERRNO("connect again", connect(second, (struct sockaddr *)&bound.ss, bound.len), EALREADY);
    EXPECT_ERRNO("send while connecting", send(second, "x", 1, MSG_DONTWAIT), EAGAIN);
    EXPECT_ERRNO("recv while connecting", recv(second, &(char) { 0 }, 1, MSG_DONTWAIT), EAGAIN);
    ct_show_name("getpeername while connecting", second, 1, 0, "");
    close(second);
    close(first);
    close(small);
    close(listener);
}

static void full_and_drained(void)
{
    printf("== full\n");
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    ct_show_poll("connected", client);
    int n = -1;
    OK(ioctl(server, FIONREAD, &n));
    printf("FIONREAD with nothing queued: %d\n", n);
    CHECK(write(client, "12345", 5) == 5, "write");
    OK(ioctl(server, FIONREAD, &n));
    printf("FIONREAD after 5 bytes: %d\n", n);
    ct_show_poll("the reader with data", server);
    static char chunk[65536];
    CHECK(read(server, chunk, sizeof chunk) == 5, "read");
    OK(fcntl(client, F_SETFL, O_NONBLOCK));
    long total = 0;
    for (;;) {
        ssize_t w = write(client, chunk, sizeof chunk);
        if (w < 0) break;
        total += w;
    }
    printf("writes until %s; some were taken: %d\n", errno_name(errno), total > 0);
    ct_show_poll("the full writer", client);
    ct_show_poll("its reader", server);
    long drained = 0;
    for (;;) {
        ssize_t r = recv(server, chunk, sizeof chunk, MSG_DONTWAIT);
        if (r <= 0) break;
        drained += r;
        if (drained == total) break;
    }
    printf("the reader takes it all: %d\n", drained == total);
    struct pollfd p = { .fd = client, .events = POLLOUT };
    printf("the writer is writable again: %d\n", poll(&p, 1, 2000) == 1 && (p.revents & POLLOUT));
    close(client);
    close(server);
}

static void nonblocking_flags(void)
{
    printf("== flags and timeouts\n");
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET6), &client, &server);
    char c;
    OK(ioctl(server, FIONBIO, &(int) { 1 }));
    printf("FIONBIO on: O_NONBLOCK %d\n", !!(fcntl(server, F_GETFL) & O_NONBLOCK));
    EXPECT_ERRNO("read", read(server, &c, 1), EAGAIN);
    OK(ioctl(server, FIONBIO, &(int) { 0 }));
    EXPECT_ERRNO("recv with MSG_DONTWAIT", recv(server, &c, 1, MSG_DONTWAIT), EAGAIN);
    struct timeval tv = { 0, 50000 };
    OK(setsockopt(server, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    EXPECT_ERRNO("recv with SO_RCVTIMEO 50 ms", recv(server, &c, 1, 0), EAGAIN);
    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET6), 5, &bound);
    OK(setsockopt(listener, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    EXPECT_ERRNO("accept with SO_RCVTIMEO 50 ms", accept(listener, NULL, NULL), EAGAIN);
    int n;
    EXPECT_ERRNO("FIONREAD on a listener", ioctl(listener, FIONREAD, &n), EINVAL);
    close(listener);
    close(client);
    close(server);
}

static void epoll_and_select(void)
{
    printf("== epoll and select\n");
    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET), 5, &bound);
    int ep = OK(epoll_create1(0));
    struct epoll_event ev = { .events = EPOLLIN, .data.u32 = 1 };
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, listener, &ev));
    struct epoll_event got[4];
    printf("listener, nothing waiting: %d\n", epoll_wait(ep, got, 4, 0));
    int client = OK(socket(AF_INET, SOCK_STREAM, 0));
    OK(connect(client, (struct sockaddr *)&bound.ss, bound.len));
    int n = epoll_wait(ep, got, 4, 1000);
    printf("a connection waits: %d event(s), EPOLLIN %d\n", n, n == 1 && (got[0].events & EPOLLIN));
    int server = OK(accept(listener, NULL, NULL));
    ev.events = EPOLLIN | EPOLLRDHUP | EPOLLET;
    ev.data.u32 = 2;
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, server, &ev));
    ev.events = EPOLLOUT;
    ev.data.u32 = 3;
    OK(epoll_ctl(ep, EPOLL_CTL_ADD, client, &ev));
    n = epoll_wait(ep, got, 4, 0);
    printf("connected: %d event(s): id %u EPOLLOUT %d\n", n, got[0].data.u32, !!(got[0].events & EPOLLOUT));
    OK(epoll_ctl(ep, EPOLL_CTL_DEL, client, NULL));
    CHECK(write(client, "x", 1) == 1, "write");
    n = epoll_wait(ep, got, 4, 1000);
    printf("data: %d event(s): id %u EPOLLIN %d EPOLLRDHUP %d\n", n, got[0].data.u32, !!(got[0].events & EPOLLIN),
           !!(got[0].events & EPOLLRDHUP));
    printf("edge-triggered, nothing new: %d\n", epoll_wait(ep, got, 4, 0));
    OK(shutdown(client, SHUT_WR));
    n = epoll_wait(ep, got, 4, 1000);
    printf("peer's SHUT_WR: %d event(s): EPOLLIN %d EPOLLRDHUP %d EPOLLHUP %d\n", n, !!(got[0].events & EPOLLIN),
           !!(got[0].events & EPOLLRDHUP), !!(got[0].events & EPOLLHUP));
    close(ep);

    fd_set readable, writable;
    FD_ZERO(&readable);
    FD_ZERO(&writable);
    FD_SET(server, &readable);
    FD_SET(client, &writable);
    struct timeval zero = { 0, 0 };
    n = select((server > client ? server : client) + 1, &readable, &writable, NULL, &zero);
    printf("select: %d, server readable %d, client writable %d\n", n, FD_ISSET(server, &readable),
           FD_ISSET(client, &writable));
    close(client);
    close(server);

    /* A blocked poll wakes when another process writes. */
    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(50000);
        _exit(write(client, "late", 4) == 4 ? 0 : 1);
    }
    struct pollfd p = { .fd = server, .events = POLLIN };
    n = poll(&p, 1, 5000);
    printf("blocked poll: %d, POLLIN %d; child %s\n", n, !!(p.revents & POLLIN), status_text(ct_wait(child)));
    close(client);
    close(server);
    close(listener);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    connecting();
    full_and_drained();
    nonblocking_flags();
    epoll_and_select();
    ct_pass();
}
