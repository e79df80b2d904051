/* Contract: the errors of TCP sockets (and of socket(2) for AF_INET and
 * AF_INET6), as Linux gives them to root and, where privilege matters, to
 * uid 1000: the protocol and type checks of socket(2); bind's address
 * checks (length, family, an address that is not local, a link-local one
 * without its interface, IPv4 on a v6-only socket, a second bind, ports
 * below 1024 without privilege) and its port rules (EADDRINUSE, the
 * SO_REUSEADDR and SO_REUSEPORT exceptions, a listener holding its port,
 * IPv6's wildcard covering IPv4); listen, accept, connect and I/O in the
 * wrong state (EINVAL, EISCONN, ECONNREFUSED, EPIPE with SIGPIPE, ENOTCONN);
 * EFAULT for bad pointers; unknown options and levels. */
#include "inet.h"

static int tcp4(void) { return OK(socket(AF_INET, SOCK_STREAM, 0)); }
static int tcp6(void) { return OK(socket(AF_INET6, SOCK_STREAM, 0)); }
static int set_flag(int fd, int name)
{
    int one = 1;
    return setsockopt(fd, SOL_SOCKET, name, &one, sizeof one);
}
static int bind_to(int fd, struct ct_addr a) { return bind(fd, (struct sockaddr *)&a.ss, a.len); }
static int connect_to(int fd, struct ct_addr a) { return connect(fd, (struct sockaddr *)&a.ss, a.len); }

static int raw_icmp(void)
{
    int fd = socket(AF_INET, SOCK_RAW, IPPROTO_ICMP);
    return fd < 0 ? errno : 0;
}

static unsigned g_low_port;
static int bind_low_port(void)
{
    struct ct_addr a = ct_in4("127.0.0.1", g_low_port);
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    return bind_to(fd, a) < 0 ? errno : 0;
}

static void creating(void)
{
    printf("== socket\n");
    EXPECT_ERRNO("AF_INET SOCK_STREAM with IPPROTO_UDP", socket(AF_INET, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    EXPECT_ERRNO("AF_INET SOCK_DGRAM with IPPROTO_TCP", socket(AF_INET, SOCK_DGRAM, IPPROTO_TCP), EPROTONOSUPPORT);
    EXPECT_ERRNO("AF_INET6 SOCK_STREAM with IPPROTO_UDP", socket(AF_INET6, SOCK_STREAM, IPPROTO_UDP), EPROTONOSUPPORT);
    EXPECT_ERRNO("AF_INET SOCK_STREAM with protocol 256", socket(AF_INET, SOCK_STREAM, 256), EPROTONOSUPPORT);
    EXPECT_ERRNO("AF_INET SOCK_STREAM with protocol -1", socket(AF_INET, SOCK_STREAM, -1), EINVAL);
    EXPECT_ERRNO("AF_INET SOCK_STREAM with protocol 263 (IPPROTO_MAX)", socket(AF_INET, SOCK_STREAM, 263), EINVAL);
    EXPECT_ERRNO("AF_INET SOCK_RAW with protocol 0", socket(AF_INET, SOCK_RAW, 0), EPROTONOSUPPORT);
    EXPECT_ERRNO("AF_INET6 SOCK_RAW with protocol 0", socket(AF_INET6, SOCK_RAW, 0), EPROTONOSUPPORT);
    ct_as_user("AF_INET SOCK_RAW IPPROTO_ICMP", raw_icmp);
    EXPECT_ERRNO("AF_INET SOCK_SEQPACKET", socket(AF_INET, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("AF_INET SOCK_SEQPACKET with IPPROTO_TCP", socket(AF_INET, SOCK_SEQPACKET, IPPROTO_TCP), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("AF_INET6 SOCK_SEQPACKET", socket(AF_INET6, SOCK_SEQPACKET, 0), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("AF_INET type 4 (SOCK_RDM)", socket(AF_INET, 4, 0), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("AF_INET type 11", socket(AF_INET, 11, 0), EINVAL);
    EXPECT_ERRNO("AF_INET with an unknown type flag", socket(AF_INET, SOCK_STREAM | 0x10000000, 0), EINVAL);
    int sv[2];
    EXPECT_ERRNO("socketpair AF_INET SOCK_STREAM", socketpair(AF_INET, SOCK_STREAM, 0, sv), EOPNOTSUPP);
    EXPECT_ERRNO("socketpair AF_INET6 SOCK_DGRAM", socketpair(AF_INET6, SOCK_DGRAM, 0, sv), EOPNOTSUPP);
    EXPECT_ERRNO("socketpair AF_INET with a bad protocol", socketpair(AF_INET, SOCK_STREAM, IPPROTO_UDP, sv),
                 EPROTONOSUPPORT);
    int fd = OK(socket(AF_INET, SOCK_STREAM, IPPROTO_TCP));
    printf("AF_INET SOCK_STREAM IPPROTO_TCP: yes\n");
    close(fd);
    fd = OK(socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP));
    printf("AF_INET6 SOCK_DGRAM IPPROTO_UDP: yes\n");
    close(fd);
}

static void binding(void)
{
    printf("== bind\n");
    struct ct_addr a = ct_in4("127.0.0.1", 0);
    EXPECT_ERRNO("length 15", bind(tcp4(), (struct sockaddr *)&a.ss, 15), EINVAL);
    EXPECT_ERRNO("length 0", bind(tcp4(), (struct sockaddr *)&a.ss, 0), EINVAL);
    EXPECT_ERRNO("length 129", bind(tcp4(), (struct sockaddr *)&a.ss, 129), EINVAL);
    EXPECT_ERRNO("length -1", bind(tcp4(), (struct sockaddr *)&a.ss, -1), EINVAL);
    SHOW("length 128 (the rest is ignored)", bind(tcp4(), (struct sockaddr *)&a.ss, 128));
    EXPECT_ERRNO("a bad pointer", bind(tcp4(), ct_bad_pointer(), 16), EFAULT);
    a.ss.ss_family = AF_INET6;
    EXPECT_ERRNO("family AF_INET6 on an AF_INET socket", bind_to(tcp4(), a), EAFNOSUPPORT);
    a.ss.ss_family = AF_UNIX;
    EXPECT_ERRNO("family AF_UNIX", bind_to(tcp4(), a), EAFNOSUPPORT);
    a.ss.ss_family = AF_UNSPEC;
    EXPECT_ERRNO("family AF_UNSPEC with 127.0.0.1", bind_to(tcp4(), a), EAFNOSUPPORT);
    struct ct_addr any = ct_in4("0.0.0.0", 0);
    any.ss.ss_family = AF_UNSPEC;
    SHOW("family AF_UNSPEC with INADDR_ANY (accepted, for old programs)", bind_to(tcp4(), any));
    EXPECT_ERRNO("192.0.2.1 (not a local address)", bind_to(tcp4(), ct_in4("192.0.2.1", 0)), EADDRNOTAVAIL);
    SHOW("127.1.2.3", bind_to(tcp4(), ct_in4("127.1.2.3", 0)));
    int fd = tcp4();
    OK(bind_to(fd, ct_in4("127.0.0.1", 0)));
    EXPECT_ERRNO("a second bind", bind_to(fd, ct_in4("127.0.0.1", 0)), EINVAL);
    EXPECT_ERRNO("a second bind with a bad family (checked first)", bind_to(fd, ct_in6("::1", 0)), EAFNOSUPPORT);

    struct ct_addr b = ct_in6("::1", 0);
    EXPECT_ERRNO("AF_INET6: length 23", bind(tcp6(), (struct sockaddr *)&b.ss, 23), EINVAL);
    SHOW("AF_INET6: length 24 (no scope id)", bind(tcp6(), (struct sockaddr *)&b.ss, 24));
    EXPECT_ERRNO("AF_INET6: a sockaddr_in", bind_to(tcp6(), ct_in4("127.0.0.1", 0)), EINVAL);
    b.ss.ss_family = AF_INET;
    EXPECT_ERRNO("AF_INET6: family AF_INET, length 28", bind_to(tcp6(), b), EAFNOSUPPORT);
    EXPECT_ERRNO("AF_INET6: 2001:db8::1 (not local)", bind_to(tcp6(), ct_in6("2001:db8::1", 0)), EADDRNOTAVAIL);
    EXPECT_ERRNO("AF_INET6: fe80::1 without an interface", bind_to(tcp6(), ct_in6("fe80::1", 0)), EINVAL);
    EXPECT_ERRNO("AF_INET6: ::ffff:192.0.2.1", bind_to(tcp6(), ct_in6("::ffff:192.0.2.1", 0)), EADDRNOTAVAIL);
    EXPECT_ERRNO("AF_INET6: ff02::1 for TCP", bind_to(tcp6(), ct_in6("ff02::1", 0)), EINVAL);
    int v6only = tcp6();
    OK(setsockopt(v6only, IPPROTO_IPV6, IPV6_V6ONLY, &(int) { 1 }, sizeof(int)));
    EXPECT_ERRNO("AF_INET6 v6-only: ::ffff:127.0.0.1", bind_to(v6only, ct_in6("::ffff:127.0.0.1", 0)), EINVAL);

    /* Ports below 1024: root may; uid 1000 may not (the address is checked first). */
    for (g_low_port = 1023; g_low_port > 900; g_low_port--) {
        int probe = tcp4();
        int r = bind_to(probe, ct_in4("127.0.0.1", g_low_port));
        close(probe);
        if (r == 0) break;
        CHECK(errno == EADDRINUSE, "bind of a low port as root");
    }
    printf("root binds a port below 1024: yes\n");
    ct_as_user("bind to a port below 1024", bind_low_port);
}

static void port_rules(void)
{
    printf("== ports\n");
    int first = tcp4();
    OK(bind_to(first, ct_in4("127.0.0.1", 0)));
    unsigned const port = ct_local_port(first);
    EXPECT_ERRNO("the same address and port", bind_to(tcp4(), ct_in4("127.0.0.1", port)), EADDRINUSE);
    EXPECT_ERRNO("the wildcard on that port", bind_to(tcp4(), ct_in4("0.0.0.0", port)), EADDRINUSE);
    SHOW("another loopback address on that port", bind_to(tcp4(), ct_in4("127.0.0.2", port)));
    SHOW("UDP on that port (another table)", bind_to(OK(socket(AF_INET, SOCK_DGRAM, 0)), ct_in4("127.0.0.1", port)));
    int reuse = tcp4();
    set_flag(reuse, SO_REUSEADDR);
    EXPECT_ERRNO("SO_REUSEADDR on the new socket only", bind_to(reuse, ct_in4("127.0.0.1", port)), EADDRINUSE);
    set_flag(first, SO_REUSEADDR);
    SHOW("SO_REUSEADDR on both, neither listening", bind_to(reuse, ct_in4("127.0.0.1", port)));
    OK(listen(reuse, 1));
    int third = tcp4();
    set_flag(third, SO_REUSEADDR);
    EXPECT_ERRNO("SO_REUSEADDR on both, the first listening", bind_to(third, ct_in4("127.0.0.1", port)), EADDRINUSE);
    EXPECT_ERRNO("listen on the other one then", listen(first, 1), EADDRINUSE);
    close(first);
    close(reuse);
    close(third);

    int a = tcp4(), b = tcp4(), c = tcp4();
    set_flag(a, SO_REUSEPORT);
    set_flag(b, SO_REUSEPORT);
    OK(bind_to(a, ct_in4("127.0.0.1", 0)));
    unsigned const shared = ct_local_port(a);
    OK(listen(a, 1));
    SHOW("SO_REUSEPORT on both, the first listening", bind_to(b, ct_in4("127.0.0.1", shared)));
    SHOW("and both listen", listen(b, 1));
    EXPECT_ERRNO("a third without SO_REUSEPORT", bind_to(c, ct_in4("127.0.0.1", shared)), EADDRINUSE);
    close(a);
    close(b);
    close(c);

    int six = tcp6();
    OK(bind_to(six, ct_in6("::", 0)));
    unsigned const dual = ct_local_port(six);
    EXPECT_ERRNO("IPv4 on the port of an IPv6 wildcard", bind_to(tcp4(), ct_in4("127.0.0.1", dual)), EADDRINUSE);
    int only = tcp6();
    OK(setsockopt(only, IPPROTO_IPV6, IPV6_V6ONLY, &(int) { 1 }, sizeof(int)));
    OK(bind_to(only, ct_in6("::", 0)));
    SHOW("IPv4 on the port of a v6-only wildcard", bind_to(tcp4(), ct_in4("127.0.0.1", ct_local_port(only))));
    close(six);
    close(only);

    /* A closed socket's port is free again (no TIME_WAIT without a connection). */
    int gone = tcp4();
    OK(bind_to(gone, ct_in4("127.0.0.1", 0)));
    unsigned const freed = ct_local_port(gone);
    OK(listen(gone, 1));
    close(gone);
    SHOW("a closed listener's port", bind_to(tcp4(), ct_in4("127.0.0.1", freed)));
}

static void states(void)
{
    printf("== states\n");
    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET), 5, &bound);
    int client = tcp4();
    char buf[8];
    EXPECT_ERRNO("accept on an unconnected socket", accept(client, NULL, NULL), EINVAL);
    EXPECT_ERRNO("recv on an unconnected socket", recv(client, buf, sizeof buf, 0), ENOTCONN);
    EXPECT_ERRNO("getpeername on an unconnected socket", getpeername(client, (struct sockaddr *)&bound.ss, &(socklen_t) { 128 }),
                 ENOTCONN);
    EXPECT_ERRNO("shutdown of an unconnected socket", shutdown(client, SHUT_RDWR), ENOTCONN);
    client = tcp4();
    ct_caught = 0;
    EXPECT_ERRNO("send on an unconnected socket", send(client, "x", 1, 0), EPIPE);
    printf("SIGPIPE: %d\n", ct_caught);
    EXPECT_ERRNO("sendto with an address on an unconnected socket",
                 sendto(client, "x", 1, 0, (struct sockaddr *)&bound.ss, bound.len), EPIPE);
    EXPECT_ERRNO("send with MSG_NOSIGNAL", send(client, "x", 1, MSG_NOSIGNAL), EPIPE);
    printf("SIGPIPE: %d\n", ct_caught);
    EXPECT_ERRNO("write on an unconnected socket", write(client, "x", 1), EPIPE);
    printf("SIGPIPE: %d\n", ct_caught);

    EXPECT_ERRNO("connect with length 15", connect(client, (struct sockaddr *)&bound.ss, 15), EINVAL);
    EXPECT_ERRNO("connect with length 1", connect(client, (struct sockaddr *)&bound.ss, 1), EINVAL);
    EXPECT_ERRNO("connect from a bad pointer", connect(client, ct_bad_pointer(), 16), EFAULT);
    struct ct_addr wrong = bound;
    wrong.ss.ss_family = AF_INET6;
    EXPECT_ERRNO("connect to family AF_INET6", connect_to(client, wrong), EAFNOSUPPORT);
    EXPECT_ERRNO("AF_INET6 socket: connect to a sockaddr_in", connect_to(tcp6(), bound), EINVAL);
    struct ct_addr unspec = bound;
    unspec.ss.ss_family = AF_UNSPEC;
    SHOW("connect to AF_UNSPEC while unconnected", connect_to(client, unspec));
    int closed = tcp4();
    OK(bind_to(closed, ct_in4("127.0.0.1", 0)));
    struct ct_addr nobody = ct_in4("127.0.0.1", ct_local_port(closed));
    EXPECT_ERRNO("connect to a port nobody listens on", connect_to(client, nobody), ECONNREFUSED);
    EXPECT_ERRNO("and again", connect_to(client, nobody), ECONNREFUSED);
    int error = -1;
    OK(getsockopt(client, SOL_SOCKET, SO_ERROR, &error, &(socklen_t) { sizeof error }));
    printf("SO_ERROR after: %s\n", errno_name(error));
    EXPECT_ERRNO("connect to ::1 there", connect_to(tcp6(), ct_in6("::1", ct_local_port(closed))), ECONNREFUSED);

    OK(connect_to(client, bound));
    EXPECT_ERRNO("connect twice", connect_to(client, bound), EISCONN);
    EXPECT_ERRNO("listen on a connected socket", listen(client, 1), EINVAL);
    EXPECT_ERRNO("bind a connected socket", bind_to(client, ct_in4("127.0.0.1", 0)), EINVAL);
    EXPECT_ERRNO("accept on a connected socket", accept(client, NULL, NULL), EINVAL);
    EXPECT_ERRNO("connect on a listener", connect_to(listener, bound), EISCONN);
    EXPECT_ERRNO("recv on a listener", recv(listener, buf, sizeof buf, 0), ENOTCONN);
    EXPECT_ERRNO("send on a listener", send(listener, "x", 1, MSG_NOSIGNAL), EPIPE);
    EXPECT_ERRNO("getpeername on a listener", getpeername(listener, (struct sockaddr *)&wrong.ss, &(socklen_t) { 128 }),
                 ENOTCONN);
    int server = OK(accept(listener, NULL, NULL));
    SHOW("sendto with another address on a connected socket (ignored)",
         sendto(client, "y", 1, 0, (struct sockaddr *)&nobody.ss, nobody.len));
    SHOW("the peer gets it", recv(server, buf, sizeof buf, 0));
    EXPECT_ERRNO("recv with MSG_OOB (no urgent data)", recv(server, buf, sizeof buf, MSG_OOB | MSG_DONTWAIT), EINVAL);
    EXPECT_ERRNO("shutdown with how 3", shutdown(client, 3), EINVAL);
    EXPECT_ERRNO("shutdown with how -1", shutdown(client, -1), EINVAL);
    EXPECT_ERRNO("send from a bad pointer", send(client, ct_bad_pointer(), 4, 0), EFAULT);
    CHECK(write(client, "data", 4) == 4, "write");
    EXPECT_ERRNO("recv into a bad pointer", recv(server, ct_bad_pointer(), 4, 0), EFAULT);
    EXPECT_ERRNO("getsockname into a bad pointer", getsockname(client, ct_bad_pointer(), &(socklen_t) { 16 }), EFAULT);
    EXPECT_ERRNO("getsockname with a bad length pointer", getsockname(client, (struct sockaddr *)&wrong.ss, ct_bad_pointer()),
                 EFAULT);
    EXPECT_ERRNO("getsockname with length -1", getsockname(client, (struct sockaddr *)&wrong.ss, &(socklen_t) { -1 }), EINVAL);
    EXPECT_ERRNO("accept on a regular file", accept(open("/proc/self/stat", O_RDONLY), NULL, NULL), ENOTSOCK);
    EXPECT_ERRNO("connect on a closed descriptor", connect(999, (struct sockaddr *)&bound.ss, bound.len), EBADF);
    close(server);
    close(client);
    close(closed);
    close(listener);
}

static void options(void)
{
    printf("== options\n");
    int fd = tcp4(), six = tcp6();
    int value = 0;
    socklen_t len = sizeof value;
    EXPECT_ERRNO("getsockopt SOL_SOCKET 9999", getsockopt(fd, SOL_SOCKET, 9999, &value, &len), ENOPROTOOPT);
    EXPECT_ERRNO("getsockopt IPPROTO_TCP 9999", getsockopt(fd, IPPROTO_TCP, 9999, &value, &len), ENOPROTOOPT);
    EXPECT_ERRNO("getsockopt IPPROTO_IP 9999", getsockopt(fd, IPPROTO_IP, 9999, &value, &len), ENOPROTOOPT);
    EXPECT_ERRNO("getsockopt at level 99", getsockopt(fd, 99, 1, &value, &len), EOPNOTSUPP);
    EXPECT_ERRNO("getsockopt IPV6_V6ONLY on AF_INET", getsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &value, &len), EOPNOTSUPP);
    EXPECT_ERRNO("AF_INET6: getsockopt at level 99", getsockopt(six, 99, 1, &value, &len), ENOPROTOOPT);
    EXPECT_ERRNO("AF_INET6: getsockopt IPPROTO_IPV6 9999", getsockopt(six, IPPROTO_IPV6, 9999, &value, &len), ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt SOL_SOCKET 9999", setsockopt(fd, SOL_SOCKET, 9999, &value, sizeof value), ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt IPPROTO_TCP 9999", setsockopt(fd, IPPROTO_TCP, 9999, &value, sizeof value), ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt IPPROTO_IP 9999", setsockopt(fd, IPPROTO_IP, 9999, &value, sizeof value), ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt at level 99", setsockopt(fd, 99, 1, &value, sizeof value), ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt IPV6_V6ONLY on AF_INET", setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &value, sizeof value),
                 ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt TCP_NODELAY with length 2", setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &value, 2), EINVAL);
    EXPECT_ERRNO("setsockopt TCP_NODELAY from a bad pointer",
                 setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, ct_bad_pointer(), sizeof value), EFAULT);
    EXPECT_ERRNO("getsockopt TCP_NODELAY into a bad pointer",
                 getsockopt(fd, IPPROTO_TCP, TCP_NODELAY, ct_bad_pointer(), &len), EFAULT);
    EXPECT_ERRNO("getsockopt SO_TYPE with a bad length pointer", getsockopt(fd, SOL_SOCKET, SO_TYPE, &value, ct_bad_pointer()),
                 EFAULT);
    EXPECT_ERRNO("SO_PASSCRED on TCP", setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &(int) { 1 }, sizeof(int)), EOPNOTSUPP);
    EXPECT_ERRNO("getsockopt SO_PASSCRED on TCP", getsockopt(fd, SOL_SOCKET, SO_PASSCRED, &value, &len), EOPNOTSUPP);
    OK(bind_to(six, ct_in6("::1", 0)));
    EXPECT_ERRNO("IPV6_V6ONLY after bind", setsockopt(six, IPPROTO_IPV6, IPV6_V6ONLY, &value, sizeof value), EINVAL);
    close(fd);
    close(six);
}

int main(void)
{
    ct_count_signals(SIGPIPE, 0);
    creating();
    binding();
    port_rules();
    states();
    options();
    ct_pass();
}
