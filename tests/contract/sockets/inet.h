/*
 * inet.h: what the AF_INET/AF_INET6 contract tests (sockets/inet_*.c)
 * share: building loopback addresses, printing socket names without the
 * ports that change from run to run, and poll's answer as names.
 *
 * Ports are ephemeral (bind to port 0), never fixed, so that a test never
 * collides with anything else on the host. A printed name says how its port
 * relates to one the test knows ("the listener's port") or that it is an
 * ephemeral one (32768-60999, Linux's default ip_local_port_range).
 */
#pragma once

#include "contract.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>

/* An IPv4 or IPv6 address with its length, as bind/connect take it. */
struct ct_addr {
    struct sockaddr_storage ss;
    socklen_t len;
};

static inline struct ct_addr ct_in4(char const *text, unsigned port)
{
    struct ct_addr a;
    memset(&a, 0, sizeof a);
    struct sockaddr_in *sin = (struct sockaddr_in *)&a.ss;
    sin->sin_family = AF_INET;
    sin->sin_port = htons(port);
    if (inet_pton(AF_INET, text, &sin->sin_addr) != 1) ct_fail("inet_pton", __LINE__);
    a.len = sizeof *sin;
    return a;
}

static inline struct ct_addr ct_in6(char const *text, unsigned port)
{
    struct ct_addr a;
    memset(&a, 0, sizeof a);
    struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&a.ss;
    sin6->sin6_family = AF_INET6;
    sin6->sin6_port = htons(port);
    if (inet_pton(AF_INET6, text, &sin6->sin6_addr) != 1) ct_fail("inet_pton", __LINE__);
    a.len = sizeof *sin6;
    return a;
}

/* The loopback (or a given address) of a family, port 0. */
static inline struct ct_addr ct_loopback(int family)
{
    return family == AF_INET ? ct_in4("127.0.0.1", 0) : ct_in6("::1", 0);
}

static inline unsigned ct_port_of(struct sockaddr_storage const *ss)
{
    if (ss->ss_family == AF_INET) return ntohs(((struct sockaddr_in const *)ss)->sin_port);
    if (ss->ss_family == AF_INET6) return ntohs(((struct sockaddr_in6 const *)ss)->sin6_port);
    return 0;
}

static inline void ct_set_port(struct ct_addr *a, unsigned port)
{
    if (a->ss.ss_family == AF_INET)
        ((struct sockaddr_in *)&a->ss)->sin_port = htons(port);
    else
        ((struct sockaddr_in6 *)&a->ss)->sin6_port = htons(port);
}

static inline char const *ct_family_name(int family)
{
    return family == AF_INET ? "AF_INET" : family == AF_INET6 ? "AF_INET6" : family == AF_UNSPEC ? "AF_UNSPEC" : "other";
}

/* "AF_INET 127.0.0.1 length 16 port <how>": the port as "0", "P" (equal to
 * `known`, whose name is `known_name`) or "ephemeral". */
static inline void ct_show_address(char const *what, struct sockaddr_storage const *ss, socklen_t len, unsigned known,
                                   char const *known_name)
{
    char text[INET6_ADDRSTRLEN] = "?";
    if (ss->ss_family == AF_INET)
        inet_ntop(AF_INET, &((struct sockaddr_in const *)ss)->sin_addr, text, sizeof text);
    else if (ss->ss_family == AF_INET6)
        inet_ntop(AF_INET6, &((struct sockaddr_in6 const *)ss)->sin6_addr, text, sizeof text);
    unsigned port = ct_port_of(ss);
    char port_text[64];
    if (port == 0)
        snprintf(port_text, sizeof port_text, "0");
    else if (known && port == known)
        snprintf(port_text, sizeof port_text, "%s", known_name);
    else if (port >= 32768 && port <= 60999)
        snprintf(port_text, sizeof port_text, "ephemeral");
    else
        snprintf(port_text, sizeof port_text, "unexpected");
    printf("%s: %s %s length %d port %s", what, ct_family_name(ss->ss_family), text, (int)len, port_text);
    if (ss->ss_family == AF_INET6) {
        struct sockaddr_in6 const *sin6 = (struct sockaddr_in6 const *)ss;
        if (sin6->sin6_flowinfo || sin6->sin6_scope_id) printf(" flowinfo %u scope %u", sin6->sin6_flowinfo, sin6->sin6_scope_id);
    }
    printf("\n");
}

/* getsockname (peer == 0) or getpeername, shown as above; an error is
 * printed by name. */
static inline void ct_show_name(char const *what, int fd, int peer, unsigned known, char const *known_name)
{
    struct sockaddr_storage ss;
    memset(&ss, 0, sizeof ss);
    socklen_t len = sizeof ss;
    int r = peer ? getpeername(fd, (struct sockaddr *)&ss, &len) : getsockname(fd, (struct sockaddr *)&ss, &len);
    if (r < 0) {
        printf("%s: %s\n", what, errno_name(errno));
        return;
    }
    ct_show_address(what, &ss, len, known, known_name);
}

static inline unsigned ct_local_port(int fd)
{
    struct sockaddr_storage ss;
    socklen_t len = sizeof ss;
    OK(getsockname(fd, (struct sockaddr *)&ss, &len));
    return ct_port_of(&ss);
}

/* A TCP listener on `address` (port 0) with `backlog`; *bound gets its
 * address, port included. */
static inline int ct_listener(struct ct_addr address, int backlog, struct ct_addr *bound)
{
    int fd = OK(socket(address.ss.ss_family, SOCK_STREAM, 0));
    OK(bind(fd, (struct sockaddr *)&address.ss, address.len));
    OK(listen(fd, backlog));
    if (bound) {
        *bound = address;
        ct_set_port(bound, ct_local_port(fd));
    }
    return fd;
}

/* A connected TCP pair over a fresh listener on `address`: *client and
 * *server (the accepted end). */
static inline void ct_tcp_pair(struct ct_addr address, int *client, int *server)
{
    struct ct_addr bound;
    int listener = ct_listener(address, 1, &bound);
    *client = OK(socket(address.ss.ss_family, SOCK_STREAM, 0));
    OK(connect(*client, (struct sockaddr *)&bound.ss, bound.len));
    *server = OK(accept(listener, NULL, NULL));
    close(listener);
}

/* accept(2) on `listener` (its port `port`) of a connection from
 * `client_port`, showing accept's address and the new socket's names. */
static inline int ct_accept_showing(int listener, unsigned port, unsigned client_port)
{
    struct sockaddr_storage peer;
    socklen_t len = sizeof peer;
    int server = OK(accept(listener, (struct sockaddr *)&peer, &len));
    ct_show_address("accept's address", &peer, len, client_port, "the client's");
    ct_show_name("the accepted end's getsockname", server, 0, port, "the listener's");
    ct_show_name("the accepted end's getpeername", server, 1, client_port, "the client's");
    return server;
}

/* poll(2)'s answer for `fd` right now, as names. */
static inline void ct_show_poll(char const *what, int fd)
{
    struct pollfd p = { .fd = fd, .events = POLLIN | POLLOUT | POLLRDHUP | POLLPRI };
    CHECK(poll(&p, 1, 0) >= 0, "poll");
    short r = p.revents;
    printf("%s:%s%s%s%s%s%s%s\n", what, r == 0 ? " none" : "", r & POLLIN ? " POLLIN" : "", r & POLLPRI ? " POLLPRI" : "",
           r & POLLOUT ? " POLLOUT" : "", r & POLLRDHUP ? " POLLRDHUP" : "", r & POLLHUP ? " POLLHUP" : "",
           r & POLLERR ? " POLLERR" : "");
}

/* A result printed as the number or the errno's name. */
static inline void ct_show_result(char const *what, long r)
{
    if (r < 0)
        printf("%s: %s\n", what, errno_name(errno));
    else
        printf("%s: %ld\n", what, r);
}
#define SHOW(what, expr)                                                       \
    do {                                                                       \
        errno = 0;                                                             \
        long ct_show_r_ = (long)(expr);                                        \
        ct_show_result((what), ct_show_r_);                                    \
    } while (0)

/* An int socket option's value, or the errno's name. */
static inline void ct_show_option(char const *what, int fd, int level, int name)
{
    int value = -12345;
    socklen_t len = sizeof value;
    if (getsockopt(fd, level, name, &value, &len) < 0)
        printf("%s: %s\n", what, errno_name(errno));
    else
        printf("%s: %d (length %d)\n", what, value, (int)len);
}

/* Signals caught by ct_count_signals' handler (SIGPIPE, SIGALRM ...). */
static volatile sig_atomic_t ct_caught;
static inline void ct_count_signal(int sig)
{
    (void)sig;
    ct_caught++;
}
static inline void ct_count_signals(int sig, int flags)
{
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = ct_count_signal;
    sa.sa_flags = flags;
    OK(sigaction(sig, &sa, NULL));
}

/* A pointer no process has mapped. */
static inline void *ct_bad_pointer(void) { return (void *)8; }
