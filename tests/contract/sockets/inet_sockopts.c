/* Contract: socket options of TCP and UDP sockets in both families, as
 * Linux reports them: SO_TYPE, SO_DOMAIN, SO_PROTOCOL, SO_ACCEPTCONN; the
 * buffer sizes (TCP's and UDP's defaults; a value set comes back doubled,
 * within Linux's minimums); boolean options read back as 0 or 1;
 * SO_LINGER and the timeouts round-trip, and SO_SNDTIMEO ends a blocked
 * send with EAGAIN; SO_PEERCRED of a TCP socket names nobody. TCP_NODELAY,
 * TCP_MAXSEG, the keepalive options, TCP_QUICKACK, TCP_INFO's state, IP_TOS
 * (TCP keeps its ECN bits), IP_TTL, IP_MTU, IPV6_V6ONLY, IPV6_UNICAST_HOPS,
 * IPV6_TCLASS and UDP_CORK; a short getsockopt buffer gets a cut value. */
#include "inet.h"
#include <sys/time.h>

static void set_int(char const *what, int fd, int level, int name, int value)
{
    errno = 0;
    int r = setsockopt(fd, level, name, &value, sizeof value);
    printf("set %s %d: %s\n", what, value, r < 0 ? errno_name(errno) : "ok");
}

static void identity(char const *what, int fd)
{
    int type = -1, domain = -1, protocol = -1, listening = -1;
    socklen_t len = sizeof type;
    OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len));
    OK(getsockopt(fd, SOL_SOCKET, SO_DOMAIN, &domain, &len));
    OK(getsockopt(fd, SOL_SOCKET, SO_PROTOCOL, &protocol, &len));
    OK(getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len));
    printf("%s: SO_TYPE %d, SO_DOMAIN %s, SO_PROTOCOL %d, SO_ACCEPTCONN %d\n", what, type, ct_family_name(domain),
           protocol, listening);
}

static void generic(int family, int type)
{
    printf("== %s %s\n", ct_family_name(family), type == SOCK_STREAM ? "TCP" : "UDP");
    int fd = OK(socket(family, type, 0));
    identity("identity", fd);
    ct_show_option("SO_SNDBUF default", fd, SOL_SOCKET, SO_SNDBUF);
    ct_show_option("SO_RCVBUF default", fd, SOL_SOCKET, SO_RCVBUF);
    set_int("SO_SNDBUF", fd, SOL_SOCKET, SO_SNDBUF, 10000);
    ct_show_option("SO_SNDBUF", fd, SOL_SOCKET, SO_SNDBUF);
    set_int("SO_SNDBUF", fd, SOL_SOCKET, SO_SNDBUF, 1);
    ct_show_option("SO_SNDBUF", fd, SOL_SOCKET, SO_SNDBUF);
    set_int("SO_RCVBUF", fd, SOL_SOCKET, SO_RCVBUF, 1);
    ct_show_option("SO_RCVBUF", fd, SOL_SOCKET, SO_RCVBUF);
    set_int("SO_RCVBUF", fd, SOL_SOCKET, SO_RCVBUF, 20000);
    ct_show_option("SO_RCVBUF", fd, SOL_SOCKET, SO_RCVBUF);
    int const flags[] = { SO_REUSEADDR, SO_REUSEPORT, SO_KEEPALIVE, SO_BROADCAST, SO_OOBINLINE, SO_DONTROUTE };
    char const *const names[] = { "SO_REUSEADDR", "SO_REUSEPORT", "SO_KEEPALIVE", "SO_BROADCAST", "SO_OOBINLINE",
                                  "SO_DONTROUTE" };
    for (unsigned i = 0; i < sizeof flags / sizeof flags[0]; i++) {
        ct_show_option(names[i], fd, SOL_SOCKET, flags[i]);
        set_int(names[i], fd, SOL_SOCKET, flags[i], 5);
        ct_show_option(names[i], fd, SOL_SOCKET, flags[i]);
    }
    ct_show_option("SO_ERROR", fd, SOL_SOCKET, SO_ERROR);
    ct_show_option("SO_RCVLOWAT", fd, SOL_SOCKET, SO_RCVLOWAT);
    ct_show_option("SO_PRIORITY", fd, SOL_SOCKET, SO_PRIORITY);
    struct linger lg = { 1, 7 };
    OK(setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof lg));
    memset(&lg, 0, sizeof lg);
    socklen_t len = sizeof lg;
    OK(getsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, &len));
    printf("SO_LINGER: {%d, %d} (length %d)\n", lg.l_onoff, lg.l_linger, (int)len);
    struct timeval tv = { 2, 500000 };
    OK(setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    len = sizeof tv;
    OK(getsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    printf("SO_RCVTIMEO: %ld.%06ld (length %d)\n", (long)tv.tv_sec, (long)tv.tv_usec, (int)len);
    /* A cut value. */
    short part = -1;
    len = sizeof part;
    OK(getsockopt(fd, SOL_SOCKET, SO_TYPE, &part, &len));
    printf("SO_TYPE into 2 bytes: %d (length %d)\n", part, (int)len);

    ct_show_option("IP_TOS", fd, IPPROTO_IP, IP_TOS);
    set_int("IP_TOS", fd, IPPROTO_IP, IP_TOS, 0x13);
    ct_show_option("IP_TOS", fd, IPPROTO_IP, IP_TOS);
    ct_show_option("IP_TTL", fd, IPPROTO_IP, IP_TTL);
    set_int("IP_TTL", fd, IPPROTO_IP, IP_TTL, 5);
    ct_show_option("IP_TTL", fd, IPPROTO_IP, IP_TTL);
    set_int("IP_TTL", fd, IPPROTO_IP, IP_TTL, 0);
    set_int("IP_TTL", fd, IPPROTO_IP, IP_TTL, 256);
    set_int("IP_TTL", fd, IPPROTO_IP, IP_TTL, -1);
    ct_show_option("IP_TTL", fd, IPPROTO_IP, IP_TTL);
    ct_show_option("IP_MTU unconnected", fd, IPPROTO_IP, IP_MTU);
    ct_show_option("IP_RECVERR", fd, IPPROTO_IP, IP_RECVERR);
    ct_show_option("IP_PKTINFO", fd, IPPROTO_IP, IP_PKTINFO);
    ct_show_option("IP_MULTICAST_LOOP", fd, IPPROTO_IP, IP_MULTICAST_LOOP);
    ct_show_option("IPV6_V6ONLY", fd, IPPROTO_IPV6, IPV6_V6ONLY);
    set_int("IPV6_V6ONLY", fd, IPPROTO_IPV6, IPV6_V6ONLY, 1);
    ct_show_option("IPV6_V6ONLY", fd, IPPROTO_IPV6, IPV6_V6ONLY);
    ct_show_option("IPV6_UNICAST_HOPS", fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    set_int("IPV6_UNICAST_HOPS", fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS, 7);
    ct_show_option("IPV6_UNICAST_HOPS", fd, IPPROTO_IPV6, IPV6_UNICAST_HOPS);
    ct_show_option("IPV6_TCLASS", fd, IPPROTO_IPV6, IPV6_TCLASS);
    ct_show_option("TCP_NODELAY", fd, IPPROTO_TCP, TCP_NODELAY);
    ct_show_option("UDP_CORK", fd, IPPROTO_UDP, 1 /* UDP_CORK */);
    close(fd);
}

static void tcp_options(int family)
{
    printf("== %s TCP options\n", ct_family_name(family));
    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(family), 5, &bound);
    identity("a listener", listener);
    int fd = OK(socket(family, SOCK_STREAM, 0));
    ct_show_option("TCP_NODELAY", fd, IPPROTO_TCP, TCP_NODELAY);
    set_int("TCP_NODELAY", fd, IPPROTO_TCP, TCP_NODELAY, 5);
    ct_show_option("TCP_NODELAY", fd, IPPROTO_TCP, TCP_NODELAY);
    ct_show_option("TCP_MAXSEG unconnected", fd, IPPROTO_TCP, TCP_MAXSEG);
    set_int("TCP_MAXSEG", fd, IPPROTO_TCP, TCP_MAXSEG, 10);
    set_int("TCP_MAXSEG", fd, IPPROTO_TCP, TCP_MAXSEG, 1000);
    ct_show_option("TCP_MAXSEG", fd, IPPROTO_TCP, TCP_MAXSEG);
    ct_show_option("TCP_KEEPIDLE", fd, IPPROTO_TCP, TCP_KEEPIDLE);
    ct_show_option("TCP_KEEPINTVL", fd, IPPROTO_TCP, TCP_KEEPINTVL);
    ct_show_option("TCP_KEEPCNT", fd, IPPROTO_TCP, TCP_KEEPCNT);
    set_int("TCP_KEEPIDLE", fd, IPPROTO_TCP, TCP_KEEPIDLE, 0);
    set_int("TCP_KEEPIDLE", fd, IPPROTO_TCP, TCP_KEEPIDLE, 30);
    set_int("TCP_KEEPINTVL", fd, IPPROTO_TCP, TCP_KEEPINTVL, 32768);
    set_int("TCP_KEEPCNT", fd, IPPROTO_TCP, TCP_KEEPCNT, 128);
    set_int("TCP_KEEPCNT", fd, IPPROTO_TCP, TCP_KEEPCNT, 3);
    ct_show_option("TCP_KEEPIDLE", fd, IPPROTO_TCP, TCP_KEEPIDLE);
    ct_show_option("TCP_KEEPCNT", fd, IPPROTO_TCP, TCP_KEEPCNT);
    ct_show_option("TCP_QUICKACK", fd, IPPROTO_TCP, TCP_QUICKACK);
    ct_show_option("TCP_CORK", fd, IPPROTO_TCP, TCP_CORK);
    ct_show_option("UDP_CORK on TCP", fd, IPPROTO_UDP, 1);
    struct tcp_info info;
    memset(&info, 0xff, sizeof info);
    socklen_t len = sizeof info;
    OK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len));
    printf("TCP_INFO of a fresh socket: state %d\n", info.tcpi_state);
    len = sizeof info;
    OK(getsockopt(listener, IPPROTO_TCP, TCP_INFO, &info, &len));
    printf("TCP_INFO of a listener: state %d\n", info.tcpi_state);
    char congestion[32] = "";
    len = sizeof congestion;
    OK(getsockopt(fd, IPPROTO_TCP, TCP_CONGESTION, congestion, &len));
    printf("TCP_CONGESTION: a name: %d\n", congestion[0] != 0);

    OK(connect(fd, (struct sockaddr *)&bound.ss, bound.len));
    int server = OK(accept(listener, NULL, NULL));
    len = sizeof info;
    OK(getsockopt(fd, IPPROTO_TCP, TCP_INFO, &info, &len));
    printf("TCP_INFO connected: state %d\n", info.tcpi_state);
    ct_show_option("the accepted end inherits SO_KEEPALIVE", server, SOL_SOCKET, SO_KEEPALIVE);
    int mss = 0;
    len = sizeof mss;
    OK(getsockopt(server, IPPROTO_TCP, TCP_MAXSEG, &mss, &len));
    printf("TCP_MAXSEG connected: above 536 %d\n", mss > 536);
    ct_show_option("IP_MTU connected", fd, IPPROTO_IP, IP_MTU);
    struct ucred cred;
    len = sizeof cred;
    OK(getsockopt(server, SOL_SOCKET, SO_PEERCRED, &cred, &len));
    printf("SO_PEERCRED: pid %d uid %d gid %d (length %d)\n", cred.pid, (int)cred.uid, (int)cred.gid, (int)len);

    /* SO_SNDTIMEO ends a blocked send. */
    struct timeval tv = { 0, 50000 };
    OK(setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv));
    static char chunk[65536];
    ssize_t n;
    long total = 0;
    while ((n = send(fd, chunk, sizeof chunk, 0)) > 0) total += n;
    printf("sends with SO_SNDTIMEO until %s; some taken %d\n", errno_name(errno), total > 0);
    close(server);
    close(fd);
    close(listener);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    generic(AF_INET, SOCK_STREAM);
    generic(AF_INET, SOCK_DGRAM);
    generic(AF_INET6, SOCK_STREAM);
    generic(AF_INET6, SOCK_DGRAM);
    tcp_options(AF_INET);
    tcp_options(AF_INET6);
    ct_pass();
}
