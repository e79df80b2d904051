/* Contract: SOCK_DGRAM and SOCK_SEQPACKET socketpairs keep message
 * boundaries: each recv takes one message, a short buffer truncates it
 * (MSG_TRUNC), empty messages exist, writev sends one message and readv
 * takes one; MSG_PEEK leaves the message; a datagram over the send buffer
 * is EMSGSIZE. A seqpacket reader sees end-of-file when its peer closes; a
 * datagram sender to a closed peer gets ECONNREFUSED, then ENOTCONN. */
#include "contract.h"
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

static void boundaries(int type, char const *name)
{
    int sv[2];
    OK(socketpair(AF_UNIX, type, 0, sv));
    CHECK(send(sv[0], "a", 1, 0) == 1, "send a");
    CHECK(send(sv[0], "bb", 2, 0) == 2, "send bb");
    CHECK(send(sv[0], "", 0, 0) == 0, "send empty");
    CHECK(send(sv[0], "ccc", 3, 0) == 3, "send ccc");
    char buf[64];
    printf("%s: recv lengths", name);
    for (int i = 0; i < 4; i++)
        printf(" %zd", recv(sv[1], buf, sizeof buf, 0));
    printf("\n");
    EXPECT_ERRNO("  then an empty queue (MSG_DONTWAIT)", recv(sv[1], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    /* Truncation. */
    CHECK(send(sv[0], "0123456789", 10, 0) == 10, "send 10");
    CHECK(send(sv[0], "next", 4, 0) == 4, "send next");
    ssize_t n = recv(sv[1], buf, 4, 0);
    printf("  a 10-byte message into 4 bytes: %zd \"%.*s\"; the next recv: ", n, (int)n, buf);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("\"%.*s\"\n", (int)n, buf);
    CHECK(send(sv[0], "0123456789", 10, 0) == 10, "send 10");
    struct iovec iov = { buf, 4 };
    struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
    n = recvmsg(sv[1], &msg, 0);
    printf("  recvmsg into 4 bytes: %zd, MSG_TRUNC %s\n", n, (msg.msg_flags & MSG_TRUNC) ? "set" : "clear");
    CHECK(send(sv[0], "0123456789", 10, 0) == 10, "send 10");
    printf("  recv(MSG_TRUNC) into 4 bytes returns %zd\n", recv(sv[1], buf, 4, MSG_TRUNC));

    /* Peek. */
    CHECK(send(sv[0], "peek", 4, 0) == 4, "send peek");
    n = recv(sv[1], buf, sizeof buf, MSG_PEEK);
    printf("  MSG_PEEK \"%.*s\", ", (int)n, buf);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("then recv \"%.*s\"\n", (int)n, buf);

    /* writev: one message; readv: one message. */
    struct iovec out[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
    CHECK(writev(sv[0], out, 3) == 13, "writev");
    CHECK(send(sv[0], "second", 6, 0) == 6, "send second");
    char a[5], b[20];
    struct iovec in[2] = { { a, 5 }, { b, sizeof b } };
    n = readv(sv[1], in, 2);
    printf("  writev of 3 then readv: %zd bytes \"%.5s\" + \"%.*s\"; ", n, a, (int)(n - 5), b);
    n = read(sv[1], buf, sizeof buf);
    printf("then read \"%.*s\"\n", (int)n, buf);
    close(sv[0]);
    close(sv[1]);
}

int main(void)
{
    signal(SIGPIPE, SIG_IGN);
    boundaries(SOCK_DGRAM, "SOCK_DGRAM");
    boundaries(SOCK_SEQPACKET, "SOCK_SEQPACKET");

    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    static char big[300000];
    EXPECT_ERRNO("a datagram larger than the send buffer", send(sv[0], big, sizeof big, 0), EMSGSIZE);
    CHECK(send(sv[0], big, 100000, 0) == 100000, "a 100000-byte datagram");
    EXPECT("a 100000-byte datagram arrives whole", recv(sv[1], big, sizeof big, 0) == 100000);

    int type;
    socklen_t len = sizeof type;
    int raw = socket(AF_UNIX, SOCK_RAW, 0);
    CHECK(raw >= 0, "AF_UNIX SOCK_RAW");
    OK(getsockopt(raw, SOL_SOCKET, SO_TYPE, &type, &len));
    printf("AF_UNIX SOCK_RAW is a socket of SO_TYPE %s\n", type == SOCK_DGRAM ? "SOCK_DGRAM" : "other");

    /* The peer closes. */
    close(sv[1]);
    EXPECT_ERRNO("datagram send to a closed peer", send(sv[0], "x", 1, 0), ECONNREFUSED);
    EXPECT_ERRNO("and again", send(sv[0], "x", 1, 0), ENOTCONN);
    char buf[8];
    EXPECT_ERRNO("recv with the peer gone (MSG_DONTWAIT)", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);

    int sp[2];
    OK(socketpair(AF_UNIX, SOCK_SEQPACKET, 0, sp));
    CHECK(send(sp[0], "last", 4, 0) == 4, "send last");
    close(sp[0]);
    ssize_t n = recv(sp[1], buf, sizeof buf, 0);
    printf("seqpacket after the peer closed: \"%.*s\", then %zd", (int)n, buf, recv(sp[1], buf, sizeof buf, 0));
    printf(", non-blocking %zd\n", recv(sp[1], buf, sizeof buf, MSG_DONTWAIT));
    EXPECT_ERRNO("seqpacket send to a closed peer", send(sp[1], "x", 1, 0), EPIPE);
    ct_pass();
}
