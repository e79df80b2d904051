/* Contract: how TCP connections end on the loopback. A close that leaves
 * data unread sends RST: the peer is POLLIN|POLLOUT|POLLRDHUP|POLLHUP|
 * POLLERR, reads what it had queued, then ECONNRESET once, then 0, and
 * writes get EPIPE with SIGPIPE. A clean close is end-of-file (POLLIN|
 * POLLRDHUP); the peer's next write still succeeds, is answered with RST,
 * and the one after fails with EPIPE (MSG_NOSIGNAL: no signal; the default
 * action kills). SO_LINGER with a zero timeout resets; a listener closed
 * with a connection nobody accepted resets it. SHUT_RD leaves arriving
 * data readable; data for a socket shut down both ways resets both ends.
 * A reader blocked in recv wakes at the peer's close. */
#include "inet.h"

static void show_read(char const *what, int fd)
{
    char buf[64];
    errno = 0;
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0)
        printf("%s: %s\n", what, errno_name(errno));
    else
        printf("%s: %zd \"%.*s\"\n", what, n, (int)n, buf);
}

static void show_error(char const *what, int fd)
{
    int error = -1;
    OK(getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &(socklen_t) { sizeof error }));
    printf("%s: %s\n", what, errno_name(error));
}

static void reset_by_unread_data(int family)
{
    printf("== close with unread data (%s)\n", ct_family_name(family));
    int client, server;
    ct_tcp_pair(ct_loopback(family), &client, &server);
    CHECK(write(client, "unread", 6) == 6, "write");
    CHECK(write(server, "queued", 6) == 6, "write");
    usleep(10000);
    close(server);
    ct_show_poll("the client after the RST", client);
    ct_show_name("its getpeername", client, 1, 0, "");
    show_read("it reads what was queued for it", client);
    show_read("then", client);
    show_read("then", client);
    ct_caught = 0;
    SHOW("write", write(client, "x", 1));
    printf("SIGPIPE: %d\n", ct_caught);
    SHOW("send with MSG_NOSIGNAL", send(client, "x", 1, MSG_NOSIGNAL));
    printf("SIGPIPE: %d\n", ct_caught);
    show_error("SO_ERROR", client);
    struct ct_addr loopback = ct_loopback(family);
    EXPECT_ERRNO("connect again", connect(client, (struct sockaddr *)&loopback.ss, loopback.len), EISCONN);
    close(client);

    /* The error comes before EPIPE while it is pending. */
    ct_tcp_pair(ct_loopback(family), &client, &server);
    CHECK(write(client, "unread", 6) == 6, "write");
    usleep(10000);
    close(server);
    SHOW("write before reading the error", write(client, "x", 1));
    printf("SIGPIPE: %d\n", ct_caught);
    show_read("then read", client);
    close(client);
}

static void clean_close(void)
{
    printf("== clean close\n");
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    CHECK(write(server, "last words", 10) == 10, "write");
    close(server);
    ct_show_poll("the client after the peer's close", client);
    show_read("read", client);
    show_read("read", client);
    ct_caught = 0;
    SHOW("write to the closed peer", write(client, "x", 1));
    usleep(10000);
    ct_show_poll("after the peer's RST", client);
    show_read("read", client);
    SHOW("write again", write(client, "x", 1));
    printf("SIGPIPE: %d\n", ct_caught);
    SHOW("and again", write(client, "x", 1));
    printf("SIGPIPE: %d\n", ct_caught);
    show_error("SO_ERROR", client);
    ct_show_name("getpeername", client, 1, 0, "");
    EXPECT_ERRNO("shutdown", shutdown(client, SHUT_RDWR), ENOTCONN);
    close(client);

    /* With the default action, that write kills. */
    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    close(server);
    pid_t child = ct_fork();
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        if (write(client, "x", 1) != 1) _exit(1);
        usleep(10000);
        if (write(client, "x", 1) != 1) _exit(2);
        _exit(3);
    }
    printf("a child writing twice to a closed peer: %s\n", status_text(ct_wait(child)));
    close(client);
}

static void abortive(void)
{
    printf("== SO_LINGER 0 and listeners\n");
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET6), &client, &server);
    struct linger lg = { 1, 0 };
    OK(setsockopt(server, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    close(server);
    show_read("after the peer closed with SO_LINGER {1, 0}", client);
    close(client);

    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET6), 5, &bound);
    client = OK(socket(AF_INET6, SOCK_STREAM, 0));
    OK(connect(client, (struct sockaddr *)&bound.ss, bound.len));
    CHECK(write(client, "hi", 2) == 2, "write");
    close(listener);
    ct_show_poll("a connection its listener dropped", client);
    show_read("read", client);
    SHOW("write", send(client, "x", 1, MSG_NOSIGNAL));
    close(client);
}

static void half_shut(void)
{
    printf("== shutdown\n");
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    CHECK(write(client, "before", 6) == 6, "write");
    OK(shutdown(server, SHUT_RD));
    ct_show_poll("after SHUT_RD with data queued", server);
    show_read("read", server);
    SHOW("the peer writes on", write(client, "after", 5));
    show_read("read", server);
    SHOW("read with nothing left", recv(server, (char[8]) { 0 }, 8, MSG_DONTWAIT));
    ct_show_poll("the peer", client);
    close(client);
    close(server);

    ct_tcp_pair(ct_loopback(AF_INET), &client, &server);
    OK(shutdown(client, SHUT_WR));
    ct_show_poll("after SHUT_WR", client);
    ct_show_poll("its peer", server);
    ct_caught = 0;
    SHOW("write after SHUT_WR", write(client, "x", 1));
    printf("SIGPIPE: %d\n", ct_caught);
    OK(shutdown(client, SHUT_RD));
    ct_show_poll("after SHUT_RD too", client);
    SHOW("the peer writes to it", write(server, "abc", 3));
    usleep(10000);
    ct_show_poll("the socket shut both ways, then", client);
    show_read("read", client);
    ct_show_poll("the writer", server);
    show_read("the writer reads", server);
    show_error("its SO_ERROR", server);
    close(client);
    close(server);
}

static void blocked_reader(void)
{
    printf("== a blocked reader\n");
    int client, server;
    ct_tcp_pair(ct_loopback(AF_INET6), &client, &server);
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(50000);
        close(server);
        _exit(0);
    }
    close(server);
    show_read("recv blocked until the peer closed", client);
    printf("child %s\n", status_text(ct_wait(child)));
    close(client);
}

int main(void)
{
    ct_count_signals(SIGPIPE, 0);
    reset_by_unread_data(AF_INET);
    reset_by_unread_data(AF_INET6);
    clean_close();
    abortive();
    half_shut();
    blocked_reader();
    ct_pass();
}
