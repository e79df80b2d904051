/* Contract: TCP over the loopback, in both families. A socket bound to
 * port 0 gets an ephemeral port; listen/connect/accept make a connection
 * whose ends name each other (the client autobinds to the loopback and an
 * ephemeral port; accept reports the client's name; the accepted end has
 * the listener's port). The connection exists before accept. Data goes
 * both ways through read/write, send/recv, readv/writev, sendmsg/recvmsg
 * and sendto/recvfrom (which reports no address for TCP), MSG_PEEK and
 * MSG_WAITALL; a megabyte crosses from a child process intact.
 * shutdown(SHUT_WR) is end-of-file for the peer, which can still answer;
 * close is end-of-file too. A wildcard listener takes connections to any
 * loopback address and names them; accept4 sets its flags; the descriptor
 * is a socket inode ("socket:[N]"). */
#include "inet.h"
#include <sys/stat.h>
#include <sys/uio.h>

static void transfer_a_megabyte(struct ct_addr loopback)
{
    enum { kSize = 1 << 20 };
    int client, server;
    ct_tcp_pair(loopback, &client, &server);
    pid_t child = ct_fork();
    if (child == 0) {
        close(server);
        static unsigned char out[kSize];
        for (int i = 0; i < kSize; i++) out[i] = (unsigned char)(i * 7 + i / 251);
        size_t done = 0;
        while (done < kSize) {
            ssize_t n = write(client, out + done, kSize - done);
            if (n <= 0) _exit(1);
            done += (size_t)n;
        }
        _exit(0);
    }
    close(client);
    static unsigned char in[kSize + 16];
    size_t got = 0;
    for (;;) {
        ssize_t n = read(server, in + got, sizeof in - got);
        CHECK(n >= 0, "read");
        if (n == 0) break;
        got += (size_t)n;
    }
    int good = got == kSize;
    for (int i = 0; good && i < kSize; i++) good = in[i] == (unsigned char)(i * 7 + i / 251);
    printf("a megabyte from a child: %zu bytes, %s; child %s\n", got, good ? "intact" : "CORRUPT",
           status_text(ct_wait(child)));
    close(server);
}

static void connection(int family)
{
    struct ct_addr loopback = ct_loopback(family);
    printf("== %s\n", ct_family_name(family));
    int listener = OK(socket(family, SOCK_STREAM, 0));
    ct_show_name("unbound getsockname", listener, 0, 0, "");
    ct_show_name("unbound getpeername", listener, 1, 0, "");
    OK(bind(listener, (struct sockaddr *)&loopback.ss, loopback.len));
    unsigned const port = ct_local_port(listener);
    ct_show_name("bound to port 0", listener, 0, 0, "");
    OK(listen(listener, 5));
    ct_show_name("listening", listener, 0, port, "the listener's");

    int client = OK(socket(family, SOCK_STREAM, 0));
    struct ct_addr target = loopback;
    ct_set_port(&target, port);
    OK(connect(client, (struct sockaddr *)&target.ss, target.len));
    unsigned const client_port = ct_local_port(client);
    ct_show_name("client getsockname (autobound)", client, 0, 0, "");
    ct_show_name("client getpeername", client, 1, port, "the listener's");
    /* Connected before accept: the client may write at once. */
    CHECK(write(client, "hello", 5) == 5, "write before accept");

    int server = ct_accept_showing(listener, port, client_port);
    /* A short buffer gets the full length back and a cut copy. */
    struct sockaddr_storage peer;
    socklen_t peer_len = 4;
    OK(getpeername(server, (struct sockaddr *)&peer, &peer_len));
    printf("getpeername into 4 bytes: length %d, family %s\n", (int)peer_len, ct_family_name(peer.ss_family));

    char buf[64];
    ssize_t n = read(server, buf, sizeof buf);
    printf("server reads \"%.*s\"\n", (int)n, buf);
    CHECK(write(server, "HELLO", 5) == 5, "reply");
    n = read(client, buf, sizeof buf);
    printf("client reads \"%.*s\"\n", (int)n, buf);

    /* send/recv, sendto/recvfrom (TCP reports no address), vectors,
     * messages. Each read takes what one write queued: how the host's TCP
     * joins small writes depends on its timers (Nagle). */
    SHOW("send", send(client, "abc", 3, 0));
    n = recv(server, buf, 3, 0);
    printf("recv: \"%.*s\"\n", (int)n, buf);
    SHOW("sendto with no address", sendto(client, "def", 3, 0, NULL, 0));
    struct sockaddr_storage from;
    socklen_t from_len = sizeof from;
    memset(&from, 0x55, sizeof from);
    n = recvfrom(server, buf, 3, 0, (struct sockaddr *)&from, &from_len);
    printf("recvfrom: \"%.*s\", address length %d\n", (int)n, buf, (int)from_len);
    struct iovec out[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
    SHOW("writev of 3 pieces", writev(client, out, 3));
    char a[5], b[8];
    struct iovec in[2] = { { a, sizeof a }, { b, sizeof b } };
    n = readv(server, in, 2);
    printf("readv: %zd bytes \"%.5s\" + \"%.*s\"\n", n, a, (int)(n > 5 ? n - 5 : 0), b);
    struct msghdr m;
    memset(&m, 0, sizeof m);
    struct iovec piece = { "message", 7 };
    m.msg_iov = &piece;
    m.msg_iovlen = 1;
    SHOW("sendmsg", sendmsg(server, &m, 0));
    struct sockaddr_storage name;
    memset(&m, 0, sizeof m);
    struct iovec into = { buf, sizeof buf };
    m.msg_iov = &into;
    m.msg_iovlen = 1;
    m.msg_name = &name;
    m.msg_namelen = sizeof name;
    n = recvmsg(client, &m, 0);
    printf("recvmsg: \"%.*s\", msg_namelen %d, msg_flags %#x\n", (int)n, buf, (int)m.msg_namelen, m.msg_flags);

    /* MSG_PEEK leaves the data; MSG_WAITALL joins writes. */
    CHECK(write(client, "peek", 4) == 4, "write");
    n = recv(server, buf, sizeof buf, MSG_PEEK);
    printf("MSG_PEEK: \"%.*s\"\n", (int)n, buf);
    n = recv(server, buf, 2, 0);
    printf("then recv of 2: \"%.*s\"\n", (int)n, buf);
    n = recv(server, buf, sizeof buf, 0);
    printf("then the rest: \"%.*s\"\n", (int)n, buf);
    CHECK(write(client, "12345", 5) == 5 && write(client, "67890", 5) == 5, "writes");
    n = recv(server, buf, 10, MSG_WAITALL);
    printf("MSG_WAITALL of 10 after two writes: \"%.*s\"\n", (int)n, buf);
    EXPECT_ERRNO("MSG_DONTWAIT with nothing queued", recv(server, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    SHOW("a zero-length send", send(client, "", 0, 0));
    EXPECT_ERRNO("and nothing arrives", recv(server, buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* SHUT_WR: end-of-file for the peer, who can still answer. */
    CHECK(write(client, "last", 4) == 4, "write");
    OK(shutdown(client, SHUT_WR));
    n = read(server, buf, sizeof buf);
    printf("after the client's SHUT_WR the server reads \"%.*s\", then %zd\n", (int)n, buf, read(server, buf, sizeof buf));
    SHOW("the server still writes", write(server, "bye", 3));
    n = read(client, buf, sizeof buf);
    printf("and the client reads \"%.*s\"\n", (int)n, buf);
    close(server);
    SHOW("after the server's close the client reads", read(client, buf, sizeof buf));
    close(client);
    close(listener);

    transfer_a_megabyte(loopback);
}

/* A wildcard listener (0.0.0.0, ::) takes connections to any loopback
 * address; the accepted end is named by the address the client used. */
static void wildcard(int family, char const *any, char const *other)
{
    struct ct_addr bound;
    int listener = ct_listener(family == AF_INET ? ct_in4(any, 0) : ct_in6(any, 0), 5, &bound);
    unsigned const port = ct_port_of(&bound.ss);
    ct_show_name("wildcard listener", listener, 0, port, "P");
    struct ct_addr target = family == AF_INET ? ct_in4(other, port) : ct_in6(other, port);
    int client = OK(socket(family, SOCK_STREAM, 0));
    OK(connect(client, (struct sockaddr *)&target.ss, target.len));
    ct_show_name("client connected to another loopback address: its name", client, 0, 0, "");
    ct_show_name("its peer", client, 1, port, "P");
    int server = OK(accept(listener, NULL, NULL));
    ct_show_name("the accepted end's name", server, 0, port, "P");
    close(server);
    close(client);

    /* A connect to the wildcard address reaches the local host. */
    target = family == AF_INET ? ct_in4(any, port) : ct_in6(any, port);
    client = OK(socket(family, SOCK_STREAM, 0));
    OK(connect(client, (struct sockaddr *)&target.ss, target.len));
    ct_show_name("connected to the wildcard address: peer", client, 1, port, "P");
    close(client);
    close(listener);
}

static void accept4_and_the_file(void)
{
    struct ct_addr bound;
    int listener = ct_listener(ct_loopback(AF_INET), 5, &bound);
    int client = OK(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
    printf("socket with SOCK_CLOEXEC|SOCK_NONBLOCK: FD_CLOEXEC %d, O_NONBLOCK %d\n",
           !!(fcntl(client, F_GETFD) & FD_CLOEXEC), !!(fcntl(client, F_GETFL) & O_NONBLOCK));
    OK(fcntl(client, F_SETFL, 0));
    OK(connect(client, (struct sockaddr *)&bound.ss, bound.len));
    int server = OK(accept4(listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK));
    printf("accept4 with SOCK_CLOEXEC|SOCK_NONBLOCK: FD_CLOEXEC %d, O_NONBLOCK %d, O_RDWR %d\n",
           !!(fcntl(server, F_GETFD) & FD_CLOEXEC), !!(fcntl(server, F_GETFL) & O_NONBLOCK),
           (fcntl(server, F_GETFL) & O_ACCMODE) == O_RDWR);
    int plain = OK(socket(AF_INET, SOCK_STREAM, 0));
    OK(connect(plain, (struct sockaddr *)&bound.ss, bound.len));
    int accepted = OK(accept(listener, NULL, NULL));
    printf("accept: FD_CLOEXEC %d, O_NONBLOCK %d\n", !!(fcntl(accepted, F_GETFD) & FD_CLOEXEC),
           !!(fcntl(accepted, F_GETFL) & O_NONBLOCK));
    struct stat st;
    OK(fstat(server, &st));
    printf("fstat: S_ISSOCK %d, mode %04o, size %lld\n", S_ISSOCK(st.st_mode), st.st_mode & 07777, (long long)st.st_size);
    char path[64], link[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", server);
    ssize_t n = readlink(path, link, sizeof link - 1);
    CHECK(n > 0, "readlink");
    link[n] = 0;
    unsigned long inode = 0;
    printf("/proc/self/fd link is socket:[inode]: %d\n", sscanf(link, "socket:[%lu]", &inode) == 1 && inode == st.st_ino);
    close(accepted);
    close(plain);
    close(server);
    close(client);
    close(listener);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    connection(AF_INET);
    connection(AF_INET6);
    printf("== wildcards\n");
    wildcard(AF_INET, "0.0.0.0", "127.0.0.5");
    wildcard(AF_INET6, "::", "::1");
    printf("== accept4 and the file\n");
    accept4_and_the_file();
    ct_pass();
}
