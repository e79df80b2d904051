/* Contract: datagram sockets bound to paths exchange messages with
 * sendto/recvfrom, and recvfrom reports the sender's path (a sender with no
 * name gives length 0); a short address buffer gets a cut copy and the
 * full length. connect() sets a default destination and makes the socket
 * refuse senders other than its peer (EPERM); connecting to AF_UNSPEC
 * undoes it. sendto a path with nothing bound to it is ECONNREFUSED, to a
 * missing path ENOENT. A receiver that is not connected back takes a
 * limited number of queued datagrams (then EAGAIN, or a blocked sender
 * until it reads). */
#include "contract.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/un.h>

static socklen_t make_address(struct sockaddr_un *a, char const *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

static int bound_socket(char const *path, struct sockaddr_un *a, socklen_t *len)
{
    int s = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    *len = make_address(a, path);
    OK(bind(s, (struct sockaddr *)a, *len));
    return s;
}

static void receive(char const *what, int s)
{
    char buf[64];
    struct sockaddr_un from;
    memset(&from, 0x55, sizeof from);
    socklen_t len = sizeof from;
    ssize_t n = recvfrom(s, buf, sizeof buf, 0, (struct sockaddr *)&from, &len);
    CHECK(n >= 0, "recvfrom");
    printf("%s: \"%.*s\" from ", what, (int)n, buf);
    if (len == 0)
        printf("no name (length 0)\n");
    else
        printf("\"%s\" (length %d)\n", from.sun_path, (int)len);
}

int main(void)
{
    ct_enter_tmpdir();
    struct sockaddr_un aa, ba, ca;
    socklen_t al, bl, cl;
    int a = bound_socket("a", &aa, &al);
    int b = bound_socket("b", &ba, &bl);

    CHECK(sendto(a, "a to b", 6, 0, (struct sockaddr *)&ba, bl) == 6, "sendto");
    receive("b receives", b);
    CHECK(sendto(b, "b to a", 6, 0, (struct sockaddr *)&aa, al) == 6, "sendto");
    receive("a receives", a);
    int anon = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    CHECK(sendto(anon, "anon", 4, 0, (struct sockaddr *)&ba, bl) == 4, "sendto from an unbound socket");
    receive("b receives", b);

    /* A short address buffer. */
    CHECK(sendto(a, "x", 1, 0, (struct sockaddr *)&ba, bl) == 1, "sendto");
    char buf[64];
    struct sockaddr_un from;
    memset(&from, 0, sizeof from);
    socklen_t len = 3;
    OK(recvfrom(b, buf, sizeof buf, 0, (struct sockaddr *)&from, &len));
    printf("recvfrom with 3 bytes for the address: length %d, sun_path[0] '%c', sun_path[1] %d\n", (int)len,
           from.sun_path[0], from.sun_path[1]);
    /* recvfrom with no address buffer. */
    CHECK(sendto(a, "y", 1, 0, (struct sockaddr *)&ba, bl) == 1, "sendto");
    EXPECT("recvfrom without an address buffer", recvfrom(b, buf, sizeof buf, 0, NULL, NULL) == 1);

    /* connect: a default destination, and a filter. */
    OK(connect(a, (struct sockaddr *)&ba, bl));
    CHECK(send(a, "connected", 9, 0) == 9, "send on a connected datagram socket");
    receive("b receives", b);
    int c = bound_socket("c", &ca, &cl);
    EXPECT_ERRNO("c sends to a, which is connected to b", sendto(c, "c", 1, 0, (struct sockaddr *)&aa, al), EPERM);
    EXPECT("b may still send to a", sendto(b, "b", 1, 0, (struct sockaddr *)&aa, al) == 1);
    receive("a receives", a);
    EXPECT_ERRNO("c connects to a, which is connected to b", connect(c, (struct sockaddr *)&aa, al), EPERM);
    CHECK(sendto(a, "to c", 4, 0, (struct sockaddr *)&ca, cl) == 4, "sendto on a connected socket");
    receive("c receives", c);
    len = sizeof from;
    OK(getpeername(a, (struct sockaddr *)&from, &len));
    printf("a's peer: \"%s\"\n", from.sun_path);
    struct sockaddr unspec = { .sa_family = AF_UNSPEC };
    OK(connect(a, &unspec, sizeof unspec));
    EXPECT_ERRNO("after connecting to AF_UNSPEC, getpeername", getpeername(a, (struct sockaddr *)&from, &len), ENOTCONN);
    EXPECT_ERRNO("and send without an address", send(a, "x", 1, 0), ENOTCONN);
    EXPECT("c may send to a now", sendto(c, "c", 1, 0, (struct sockaddr *)&aa, al) == 1);
    receive("a receives", a);

    /* Missing and dead destinations. */
    struct sockaddr_un missing;
    socklen_t ml = make_address(&missing, "missing");
    EXPECT_ERRNO("sendto a missing path", sendto(a, "x", 1, 0, (struct sockaddr *)&missing, ml), ENOENT);
    close(c);
    EXPECT_ERRNO("sendto the node of a closed socket", sendto(a, "x", 1, 0, (struct sockaddr *)&ca, cl), ECONNREFUSED);
    EXPECT("  the node is still there", access("c", F_OK) == 0);

    /* The queue limit of a receiver that is not connected back. */
    int sender = OK(socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0));
    int sent = 0;
    while (sent < 10000 && sendto(sender, "q", 1, 0, (struct sockaddr *)&ba, bl) == 1)
        sent++;
    printf("an unconnected sender fills b's queue, then: %s\n", errno_name(errno));
    CHECK(sent > 1 && sent < 10000, "a limited queue");
    CHECK(recv(b, buf, sizeof buf, 0) == 1, "recv one");
    EXPECT("after b reads one, one more fits", sendto(sender, "q", 1, 0, (struct sockaddr *)&ba, bl) == 1);
    EXPECT_ERRNO("and then it is full again", sendto(sender, "q", 1, 0, (struct sockaddr *)&ba, bl), EAGAIN);
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(30000);
        char c2;
        _exit(recv(b, &c2, 1, 0) == 1 ? 0 : 1);
    }
    int blocking = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT("a blocking sendto waits until the reader takes one",
           sendto(blocking, "w", 1, 0, (struct sockaddr *)&ba, bl) == 1);
    printf("reader %s\n", status_text(ct_wait(child)));
    int drained = 0;
    while (recv(b, buf, sizeof buf, MSG_DONTWAIT) >= 0)
        drained++;
    printf("b holds %s datagrams as were sent\n", drained == sent ? "as many" : "a different number of");
    ct_pass();
}
