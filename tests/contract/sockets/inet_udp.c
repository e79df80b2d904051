/* Contract: UDP over the loopback, in both families. sendto/recvfrom carry
 * addresses (an unbound sender gets an ephemeral port on the wildcard
 * address); datagrams keep their boundaries, a zero-length one included;
 * MSG_PEEK, MSG_TRUNC (as an input flag it returns the real length) and
 * FIONREAD (the next datagram's size) behave as Linux's; 65507 bytes is the
 * largest IPv4 datagram and 65527 the largest IPv6 one (EMSGSIZE beyond).
 * connect sets the default destination and filters what arrives (what was
 * queued before stays); AF_UNSPEC dissolves it and gives back an address
 * and port that bind did not choose. A socket connected to a port nobody
 * has learns ECONNREFUSED on its next call (Linux's ICMP port
 * unreachable); an unconnected one does not. send without a destination
 * is EDESTADDRREQ; shutdown of an unconnected socket is ENOTCONN; listen
 * and accept are EOPNOTSUPP; a blocked recv wakes for a datagram from
 * another process. */
#include "inet.h"
#include <sys/ioctl.h>
#include <sys/time.h>

static char big[65536];

static int udp(int family) { return OK(socket(family, SOCK_DGRAM, 0)); }

static struct ct_addr bound_udp(int family, int *fd)
{
    struct ct_addr a = ct_loopback(family);
    *fd = udp(family);
    OK(bind(*fd, (struct sockaddr *)&a.ss, a.len));
    ct_set_port(&a, ct_local_port(*fd));
    return a;
}

static void show_recvfrom(char const *what, int fd, size_t size, int flags, unsigned known, char const *known_name)
{
    struct sockaddr_storage from;
    memset(&from, 0, sizeof from);
    socklen_t len = sizeof from;
    errno = 0;
    ssize_t n = recvfrom(fd, big, size, flags, (struct sockaddr *)&from, &len);
    if (n < 0) {
        printf("%s: %s\n", what, errno_name(errno));
        return;
    }
    printf("%s: %zd \"%.*s\" ", what, n, (int)(n < 16 ? n : 16), big);
    ct_show_address("from", &from, len, known, known_name);
}

static void datagrams(int family)
{
    printf("== %s datagrams\n", ct_family_name(family));
    int receiver;
    struct ct_addr at = bound_udp(family, &receiver);
    int sender = udp(family);
    ct_show_poll("a fresh socket", sender);
    ct_show_name("unbound getsockname", sender, 0, 0, "");
    ct_show_name("unconnected getpeername", sender, 1, 0, "");
    SHOW("sendto", sendto(sender, "hello", 5, 0, (struct sockaddr *)&at.ss, at.len));
    unsigned const sender_port = ct_local_port(sender);
    ct_show_name("the sender, autobound", sender, 0, 0, "");
    ct_show_poll("the receiver with a datagram", receiver);
    show_recvfrom("recvfrom", receiver, sizeof big, 0, sender_port, "the sender's");

    /* Boundaries, MSG_PEEK, MSG_TRUNC, an empty datagram, FIONREAD. */
    SHOW("sendto 3 bytes", sendto(sender, "one", 3, 0, (struct sockaddr *)&at.ss, at.len));
    SHOW("sendto 5 bytes", sendto(sender, "three", 5, 0, (struct sockaddr *)&at.ss, at.len));
    SHOW("sendto 0 bytes", sendto(sender, "", 0, 0, (struct sockaddr *)&at.ss, at.len));
    SHOW("sendto 4 bytes", sendto(sender, "four", 4, 0, (struct sockaddr *)&at.ss, at.len));
    int n = -1;
    OK(ioctl(receiver, FIONREAD, &n));
    printf("FIONREAD: %d\n", n);
    show_recvfrom("MSG_PEEK", receiver, sizeof big, MSG_PEEK, sender_port, "the sender's");
    show_recvfrom("recv", receiver, sizeof big, 0, sender_port, "the sender's");
    struct msghdr m;
    memset(&m, 0, sizeof m);
    struct iovec iov = { big, 2 };
    m.msg_iov = &iov;
    m.msg_iovlen = 1;
    ssize_t r = recvmsg(receiver, &m, 0);
    printf("recvmsg into 2 bytes: %zd \"%.2s\", msg_flags MSG_TRUNC %d\n", r, big, !!(m.msg_flags & MSG_TRUNC));
    OK(ioctl(receiver, FIONREAD, &n));
    printf("FIONREAD before the empty datagram: %d\n", n);
    ct_show_poll("with an empty datagram queued", receiver);
    SHOW("recv of the empty datagram", recv(receiver, big, sizeof big, 0));
    SHOW("recv of 1 byte with MSG_TRUNC", recv(receiver, big, 1, MSG_TRUNC));
    EXPECT_ERRNO("recv with nothing queued", recv(receiver, big, sizeof big, MSG_DONTWAIT), EAGAIN);
    OK(ioctl(receiver, FIONREAD, &n));
    printf("FIONREAD with nothing queued: %d\n", n);

    /* Sizes. */
    size_t const largest = family == AF_INET ? 65507 : 65527;
    printf("largest datagram %zu: %zd\n", largest, sendto(sender, big, largest, 0, (struct sockaddr *)&at.ss, at.len));
    EXPECT_ERRNO("one byte more", sendto(sender, big, largest + 1, 0, (struct sockaddr *)&at.ss, at.len), EMSGSIZE);
    EXPECT_ERRNO("65536 bytes", sendto(sender, big, 65536, 0, (struct sockaddr *)&at.ss, at.len), EMSGSIZE);
    SHOW("the largest arrives whole", recv(receiver, big, sizeof big, 0));

    /* Address errors. */
    EXPECT_ERRNO("send without a destination", send(sender, "x", 1, 0), EDESTADDRREQ);
    struct ct_addr zero = at;
    ct_set_port(&zero, 0);
    EXPECT_ERRNO("sendto port 0", sendto(sender, "x", 1, 0, (struct sockaddr *)&zero.ss, zero.len), EINVAL);
    EXPECT_ERRNO("sendto with address length 8", sendto(sender, "x", 1, 0, (struct sockaddr *)&at.ss, 8), EINVAL);
    EXPECT_ERRNO("sendto with address length 0", sendto(sender, "x", 1, 0, (struct sockaddr *)&at.ss, 0), EINVAL);
    struct ct_addr other = family == AF_INET ? ct_in6("::1", ct_port_of(&at.ss)) : ct_in4("127.0.0.1", 1);
    other.ss.ss_family = family == AF_INET ? AF_INET6 : AF_UNIX;
    EXPECT_ERRNO("sendto another family", sendto(sender, "x", 1, 0, (struct sockaddr *)&other.ss, other.len),
                 family == AF_INET ? EAFNOSUPPORT : EINVAL);
    EXPECT_ERRNO("sendto from a bad pointer", sendto(sender, ct_bad_pointer(), 4, 0, (struct sockaddr *)&at.ss, at.len),
                 EFAULT);
    EXPECT_ERRNO("sendto a bad address pointer", sendto(sender, "x", 1, 0, ct_bad_pointer(), at.len), EFAULT);
    SHOW("nothing of those arrived", recv(receiver, big, sizeof big, MSG_DONTWAIT));
    EXPECT_ERRNO("listen", listen(receiver, 1), EOPNOTSUPP);
    EXPECT_ERRNO("accept", accept(receiver, NULL, NULL), EOPNOTSUPP);
    close(sender);
    close(receiver);
}

static void connected(int family)
{
    printf("== %s connect\n", ct_family_name(family));
    int receiver, stranger;
    struct ct_addr at = bound_udp(family, &receiver);
    bound_udp(family, &stranger);
    int partner = udp(family);
    OK(connect(partner, (struct sockaddr *)&at.ss, at.len));
    ct_show_name("the connected socket's name", partner, 0, 0, "");
    ct_show_name("its peer", partner, 1, ct_port_of(&at.ss), "the receiver's");
    unsigned const partner_port = ct_local_port(partner);
    SHOW("a stranger sends first", sendto(stranger, "early", 5, 0, (struct sockaddr *)&at.ss, at.len));
    struct ct_addr partner_address = at;
    ct_set_port(&partner_address, partner_port);
    OK(connect(receiver, (struct sockaddr *)&partner_address.ss, partner_address.len));
    SHOW("the stranger sends again", sendto(stranger, "late", 4, 0, (struct sockaddr *)&at.ss, at.len));
    SHOW("the partner sends", send(partner, "partner", 7, 0));
    show_recvfrom("recv", receiver, sizeof big, 0, partner_port, "the partner's");
    show_recvfrom("recv", receiver, sizeof big, 0, partner_port, "the partner's");
    show_recvfrom("recv", receiver, sizeof big, MSG_DONTWAIT, partner_port, "the partner's");

    /* AF_UNSPEC dissolves it; a port bind chose (0) goes back. */
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    EXPECT_ERRNO("connect with length 1", connect(receiver, &unspec, 1), EINVAL);
    SHOW("connect to AF_UNSPEC", connect(receiver, &unspec, sizeof unspec));
    ct_show_name("getpeername", receiver, 1, 0, "");
    ct_show_name("getsockname (bound to port 0)", receiver, 0, 0, "");
    ct_show_name("the partner's name after the same", partner, 0, 0, "");
    SHOW("connect to AF_UNSPEC", connect(partner, &unspec, sizeof unspec));
    ct_show_name("the partner's name (autobound)", partner, 0, 0, "");
    /* A port bind named stays. */
    int probe;
    struct ct_addr fixed_at = bound_udp(family, &probe);
    close(probe);
    int fixed = udp(family);
    OK(bind(fixed, (struct sockaddr *)&fixed_at.ss, fixed_at.len));
    OK(connect(fixed, (struct sockaddr *)&at.ss, at.len));
    SHOW("connect to AF_UNSPEC", connect(fixed, &unspec, sizeof unspec));
    ct_show_name("a socket bound to a named port, after", fixed, 0, ct_port_of(&fixed_at.ss), "the one it named");
    close(stranger);
    close(partner);
    close(receiver);
    close(fixed);
}

static void refused(int family)
{
    printf("== %s refused\n", ct_family_name(family));
    int gone;
    struct ct_addr nobody = bound_udp(family, &gone);
    close(gone);
    int s = udp(family);
    OK(connect(s, (struct sockaddr *)&nobody.ss, nobody.len));
    ct_show_poll("connected to nobody", s);
    SHOW("send", send(s, "x", 1, 0));
    ct_show_poll("after the send", s);
    SHOW("send", send(s, "x", 1, 0));
    SHOW("send", send(s, "x", 1, 0));
    SHOW("recv", recv(s, big, sizeof big, MSG_DONTWAIT));
    SHOW("recv", recv(s, big, sizeof big, MSG_DONTWAIT));
    SHOW("send", send(s, "x", 1, 0));
    int error = -1;
    OK(getsockopt(s, SOL_SOCKET, SO_ERROR, &error, &(socklen_t) { sizeof error }));
    printf("SO_ERROR: %s\n", errno_name(error));
    int u = udp(family);
    SHOW("an unconnected sendto there", sendto(u, "x", 1, 0, (struct sockaddr *)&nobody.ss, nobody.len));
    SHOW("and again", sendto(u, "x", 1, 0, (struct sockaddr *)&nobody.ss, nobody.len));
    SHOW("recv", recv(u, big, sizeof big, MSG_DONTWAIT));
    close(u);
    close(s);
}

static void shutdowns(void)
{
    printf("== shutdown and blocking\n");
    int s = udp(AF_INET);
    EXPECT_ERRNO("shutdown of an unconnected socket", shutdown(s, SHUT_RD), ENOTCONN);
    ct_show_poll("it keeps the flag", s);
    SHOW("a blocking recv then", recv(s, big, sizeof big, 0));
    close(s);
    int receiver;
    struct ct_addr at = bound_udp(AF_INET, &receiver);
    s = udp(AF_INET);
    OK(connect(s, (struct sockaddr *)&at.ss, at.len));
    OK(shutdown(s, SHUT_WR));
    SHOW("send after SHUT_WR", send(s, "x", 1, MSG_NOSIGNAL));
    OK(shutdown(s, SHUT_RD));
    ct_show_poll("shut both ways", s);
    close(s);

    struct timeval tv = { 0, 50000 };
    OK(setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    EXPECT_ERRNO("recv with SO_RCVTIMEO 50 ms", recv(receiver, big, sizeof big, 0), EAGAIN);
    tv.tv_usec = 0;
    OK(setsockopt(receiver, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(50000);
        int c = socket(AF_INET, SOCK_DGRAM, 0);
        _exit(sendto(c, "wake", 4, 0, (struct sockaddr *)&at.ss, at.len) == 4 ? 0 : 1);
    }
    SHOW("a blocked recv, woken by another process", recv(receiver, big, sizeof big, 0));
    printf("child %s\n", status_text(ct_wait(child)));

    /* To the wildcard and to another loopback address. */
    int any = udp(AF_INET);
    struct ct_addr wild = ct_in4("0.0.0.0", 0);
    OK(bind(any, (struct sockaddr *)&wild.ss, wild.len));
    unsigned const any_port = ct_local_port(any);
    struct ct_addr five = ct_in4("127.0.0.5", any_port);
    int sender = udp(AF_INET);
    SHOW("sendto 127.0.0.5", sendto(sender, "five", 4, 0, (struct sockaddr *)&five.ss, five.len));
    show_recvfrom("the wildcard socket gets it", any, sizeof big, 0, 0, "");
    struct ct_addr to_any = ct_in4("0.0.0.0", ct_port_of(&at.ss));
    SHOW("sendto 0.0.0.0", sendto(sender, "zero", 4, 0, (struct sockaddr *)&to_any.ss, to_any.len));
    show_recvfrom("the 127.0.0.1 socket gets it", receiver, sizeof big, 0, 0, "");
    close(sender);
    close(any);
    close(receiver);
}

int main(void)
{
    datagrams(AF_INET);
    datagrams(AF_INET6);
    connected(AF_INET);
    connected(AF_INET6);
    refused(AF_INET);
    refused(AF_INET6);
    shutdowns();
    ct_pass();
}
