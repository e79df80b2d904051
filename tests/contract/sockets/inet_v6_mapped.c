/* Contract: IPv4 through AF_INET6 sockets (ipv6(7)). With IPV6_V6ONLY off
 * (the default) a socket on :: takes IPv4 connections and datagrams, and
 * names their peers ::ffff:127.0.0.1; a v6 socket connects and sends to
 * IPv4-mapped addresses, and binds to them; a socket bound to ::ffff:... is
 * an IPv4 socket in all but its family. IPV6_V6ONLY turns that off
 * (ECONNREFUSED for IPv4 clients, ENETUNREACH for mapped destinations).
 * Ports: :: on a port keeps IPv4 from it, and IPv4 on a port keeps :: from
 * it, unless IPV6_V6ONLY; ::1 and 127.0.0.1 share a port. Connecting to
 * :: (or 0.0.0.0) reaches the local host. */
#include "inet.h"

static int tcp6(void) { return OK(socket(AF_INET6, SOCK_STREAM, 0)); }
static int tcp4(void) { return OK(socket(AF_INET, SOCK_STREAM, 0)); }
static int bind_to(int fd, struct ct_addr a) { return bind(fd, (struct sockaddr *)&a.ss, a.len); }
static int connect_to(int fd, struct ct_addr a) { return connect(fd, (struct sockaddr *)&a.ss, a.len); }
static void v6only(int fd) { OK(setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &(int) { 1 }, sizeof(int))); }

static void tcp(void)
{
    printf("== TCP\n");
    struct ct_addr bound;
    int listener = ct_listener(ct_in6("::", 0), 5, &bound);
    unsigned const port = ct_port_of(&bound.ss);
    int client = tcp4();
    OK(connect_to(client, ct_in4("127.0.0.1", port)));
    unsigned const client_port = ct_local_port(client);
    ct_show_name("an IPv4 client of a :: listener: its name", client, 0, 0, "");
    ct_show_name("its peer", client, 1, port, "the listener's");
    int server = ct_accept_showing(listener, port, client_port);
    CHECK(write(client, "v4", 2) == 2, "write");
    char buf[8];
    SHOW("data crosses", read(server, buf, sizeof buf));
    close(server);
    close(client);

    /* A v6 client to a mapped address, and to the wildcards. */
    struct ct_addr v4bound;
    int v4listener = ct_listener(ct_in4("127.0.0.1", 0), 5, &v4bound);
    unsigned const v4port = ct_port_of(&v4bound.ss);
    client = tcp6();
    OK(connect_to(client, ct_in6("::ffff:127.0.0.1", v4port)));
    ct_show_name("a v6 client of ::ffff:127.0.0.1: its name", client, 0, 0, "");
    ct_show_name("its peer", client, 1, v4port, "the listener's");
    server = OK(accept(v4listener, NULL, NULL));
    ct_show_name("the IPv4 server's peer", server, 1, ct_local_port(client), "the client's");
    close(server);
    close(client);
    client = tcp6();
    EXPECT_ERRNO("a v6 client to ::1 on the IPv4 listener's port", connect_to(client, ct_in6("::1", v4port)), ECONNREFUSED);
    client = tcp6();
    OK(connect_to(client, ct_in6("::", port)));
    ct_show_name("connected to ::, its peer", client, 1, port, "the listener's");
    close(OK(accept(listener, NULL, NULL)));
    close(client);
    client = tcp4();
    OK(connect_to(client, ct_in4("0.0.0.0", port)));
    ct_show_name("connected to 0.0.0.0, its peer", client, 1, port, "the listener's");
    close(OK(accept(listener, NULL, NULL)));
    close(client);

    /* IPV6_V6ONLY. */
    int only = tcp6();
    v6only(only);
    OK(bind_to(only, ct_in6("::", 0)));
    OK(listen(only, 5));
    unsigned const only_port = ct_local_port(only);
    EXPECT_ERRNO("an IPv4 client of a v6-only listener", connect_to(tcp4(), ct_in4("127.0.0.1", only_port)), ECONNREFUSED);
    client = tcp6();
    v6only(client);
    EXPECT_ERRNO("a v6-only client to a mapped address", connect_to(client, ct_in6("::ffff:127.0.0.1", v4port)),
                 ENETUNREACH);
    close(client);
    close(only);

    /* Bound to a mapped address: IPv4 only. */
    int mapped = tcp6();
    OK(bind_to(mapped, ct_in6("::ffff:127.0.0.1", 0)));
    OK(listen(mapped, 5));
    unsigned const mapped_port = ct_local_port(mapped);
    ct_show_name("a listener on ::ffff:127.0.0.1", mapped, 0, mapped_port, "P");
    ct_show_option("its IPV6_V6ONLY", mapped, IPPROTO_IPV6, IPV6_V6ONLY);
    client = tcp4();
    SHOW("an IPv4 client", connect_to(client, ct_in4("127.0.0.1", mapped_port)));
    server = OK(accept(mapped, NULL, NULL));
    ct_show_name("the accepted end", server, 0, mapped_port, "P");
    close(server);
    close(client);
    EXPECT_ERRNO("a v6 client to ::1", connect_to(tcp6(), ct_in6("::1", mapped_port)), ECONNREFUSED);
    close(mapped);
    int specific = tcp6();
    OK(bind_to(specific, ct_in6("::1", 0)));
    ct_show_option("bound to ::1: IPV6_V6ONLY", specific, IPPROTO_IPV6, IPV6_V6ONLY);
    close(specific);
    close(v4listener);
    close(listener);
}

static void ports(void)
{
    printf("== ports\n");
    int six = tcp6();
    OK(bind_to(six, ct_in6("::", 0)));
    unsigned const port = ct_local_port(six);
    EXPECT_ERRNO("127.0.0.1 on the port of ::", bind_to(tcp4(), ct_in4("127.0.0.1", port)), EADDRINUSE);
    EXPECT_ERRNO("0.0.0.0 on the port of ::", bind_to(tcp4(), ct_in4("0.0.0.0", port)), EADDRINUSE);
    EXPECT_ERRNO("::ffff:127.0.0.1 on the port of ::", bind_to(tcp6(), ct_in6("::ffff:127.0.0.1", port)), EADDRINUSE);
    EXPECT_ERRNO("::1 on the port of ::", bind_to(tcp6(), ct_in6("::1", port)), EADDRINUSE);
    close(six);

    int four = tcp4();
    OK(bind_to(four, ct_in4("127.0.0.1", 0)));
    unsigned const v4port = ct_local_port(four);
    EXPECT_ERRNO(":: on the port of 127.0.0.1", bind_to(tcp6(), ct_in6("::", v4port)), EADDRINUSE);
    int only = tcp6();
    v6only(only);
    SHOW(":: v6-only on the port of 127.0.0.1", bind_to(only, ct_in6("::", v4port)));
    SHOW("::1 on the port of 127.0.0.1", bind_to(tcp6(), ct_in6("::1", v4port)));
    EXPECT_ERRNO("::ffff:127.0.0.1 there", bind_to(tcp6(), ct_in6("::ffff:127.0.0.1", v4port)), EADDRINUSE);
    SHOW("::ffff:127.0.0.2 there", bind_to(tcp6(), ct_in6("::ffff:127.0.0.2", v4port)));
    close(four);
    close(only);

    int mapped_any = tcp6();
    OK(bind_to(mapped_any, ct_in6("::ffff:0.0.0.0", 0)));
    ct_show_name("bound to ::ffff:0.0.0.0", mapped_any, 0, 0, "");
    EXPECT_ERRNO("127.0.0.1 on its port", bind_to(tcp4(), ct_in4("127.0.0.1", ct_local_port(mapped_any))), EADDRINUSE);
    SHOW("::1 on its port", bind_to(tcp6(), ct_in6("::1", ct_local_port(mapped_any))));
    close(mapped_any);
}

static void udp(void)
{
    printf("== UDP\n");
    int six = OK(socket(AF_INET6, SOCK_DGRAM, 0));
    OK(bind_to(six, ct_in6("::", 0)));
    unsigned const port = ct_local_port(six);
    int four = OK(socket(AF_INET, SOCK_DGRAM, 0));
    struct ct_addr to = ct_in4("127.0.0.1", port);
    SHOW("an IPv4 datagram to the :: socket", sendto(four, "v4", 2, 0, (struct sockaddr *)&to.ss, to.len));
    struct sockaddr_storage from;
    socklen_t len = sizeof from;
    char buf[16];
    SHOW("recvfrom", recvfrom(six, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
    ct_show_address("from", &from, len, ct_local_port(four), "the sender's");

    int v4receiver = OK(socket(AF_INET, SOCK_DGRAM, 0));
    OK(bind_to(v4receiver, ct_in4("127.0.0.1", 0)));
    unsigned const v4port = ct_local_port(v4receiver);
    int sender = OK(socket(AF_INET6, SOCK_DGRAM, 0));
    struct ct_addr mapped = ct_in6("::ffff:127.0.0.1", v4port);
    SHOW("a v6 socket sends to a mapped address", sendto(sender, "m", 1, 0, (struct sockaddr *)&mapped.ss, mapped.len));
    ct_show_name("its name", sender, 0, 0, "");
    len = sizeof from;
    SHOW("recvfrom", recvfrom(v4receiver, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
    ct_show_address("from", &from, len, ct_local_port(sender), "the sender's");
    struct ct_addr plain = ct_in4("127.0.0.1", v4port);
    SHOW("and to a sockaddr_in", sendto(sender, "p", 1, 0, (struct sockaddr *)&plain.ss, plain.len));
    SHOW("recv", recv(v4receiver, buf, sizeof buf, 0));
    SHOW("a mapped 65508-byte datagram", sendto(sender, (char[65508]) { 0 }, 65508, 0, (struct sockaddr *)&mapped.ss, mapped.len));
    OK(connect(sender, (struct sockaddr *)&mapped.ss, mapped.len));
    ct_show_name("connected to the mapped address: name", sender, 0, 0, "");
    ct_show_name("peer", sender, 1, v4port, "the receiver's");

    int only = OK(socket(AF_INET6, SOCK_DGRAM, 0));
    v6only(only);
    EXPECT_ERRNO("v6-only: sendto a mapped address", sendto(only, "x", 1, 0, (struct sockaddr *)&mapped.ss, mapped.len),
                 ENETUNREACH);
    EXPECT_ERRNO("v6-only: sendto a sockaddr_in", sendto(only, "x", 1, 0, (struct sockaddr *)&plain.ss, plain.len),
                 ENETUNREACH);
    EXPECT_ERRNO("v6-only: connect to a sockaddr_in", connect(only, (struct sockaddr *)&plain.ss, plain.len), EAFNOSUPPORT);
    EXPECT_ERRNO("v6-only: connect to a mapped address", connect(only, (struct sockaddr *)&mapped.ss, mapped.len),
                 ENETUNREACH);
    close(only);
    close(sender);
    close(v4receiver);
    close(four);
    close(six);
}

int main(void)
{
    tcp();
    ports();
    udp();
    ct_pass();
}
