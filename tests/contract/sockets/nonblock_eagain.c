/* Contract: a non-blocking socket (O_NONBLOCK or MSG_DONTWAIT) fails with
 * EAGAIN where a blocking one would wait: reading an empty socket, writing
 * to a full one (a stream write that fits in part returns the part),
 * accepting with nothing pending, connecting to a listener whose backlog
 * is full. Reading frees room for writing again. A blocking write of more
 * than fits completes as the reader drains it. FIONREAD counts the bytes
 * queued (a datagram socket: the next message). */
#include "contract.h"
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/un.h>

static char chunk[65536];

int main(void)
{
    ct_enter_tmpdir();
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0, sv));
    char buf[16];
    EXPECT_ERRNO("read of an empty non-blocking socket", read(sv[0], buf, sizeof buf), EAGAIN);
    EXPECT_ERRNO("recv of an empty non-blocking socket", recv(sv[0], buf, sizeof buf, 0), EAGAIN);

    /* Fill it. */
    long total = 0;
    ssize_t n;
    while ((n = write(sv[0], chunk, 1000)) > 0)
        total += n;
    printf("filling with 1000-byte writes ends in %s\n", errno_name(errno));
    CHECK(total > 0, "something fit");
    EXPECT_ERRNO("a full socket takes no more", write(sv[0], chunk, sizeof chunk), EAGAIN);
    int queued = 0;
    OK(ioctl(sv[1], FIONREAD, &queued));
    printf("FIONREAD on the reader equals what was written: %s\n", queued == total ? "yes" : "no");
    long drained = 0;
    while ((n = read(sv[1], chunk, sizeof chunk)) > 0)
        drained += n;
    printf("draining reads it all: %s, then %s\n", drained == total ? "yes" : "no", errno_name(errno));
    EXPECT("after draining, a write fits again", write(sv[0], "x", 1) == 1);
    CHECK(read(sv[1], buf, 1) == 1, "read x");

    /* A write larger than the buffer returns what fitted. */
    static char huge[1 << 20];
    n = write(sv[0], huge, sizeof huge);
    printf("a 1 MiB write to an empty non-blocking socket: %s\n", n > 0 && n < (ssize_t)sizeof huge ? "partial" : "other");
    close(sv[0]);
    close(sv[1]);

    /* MSG_DONTWAIT on a blocking socket. */
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    EXPECT_ERRNO("recv(MSG_DONTWAIT) on a blocking socket", recv(sv[0], buf, sizeof buf, MSG_DONTWAIT), EAGAIN);
    while (send(sv[0], chunk, 1000, MSG_DONTWAIT) > 0) { }
    EXPECT_ERRNO("send(MSG_DONTWAIT) to a full blocking socket", send(sv[0], chunk, 1000, MSG_DONTWAIT), EAGAIN);
    close(sv[0]);
    close(sv[1]);

    /* A blocking writer and a slow reader: everything arrives, in order. */
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));
    for (size_t i = 0; i < sizeof huge; i++)
        huge[i] = (char)(i * 7 + i / 1000);
    pid_t child = ct_fork();
    if (child == 0) {
        close(sv[0]);
        static char in[1 << 20];
        size_t got = 0;
        while (got < sizeof in) {
            ssize_t r = read(sv[1], in + got, 4096);
            if (r <= 0) _exit(1);
            got += (size_t)r;
        }
        for (size_t i = 0; i < sizeof in; i++)
            if (in[i] != (char)(i * 7 + i / 1000)) _exit(2);
        _exit(0);
    }
    close(sv[1]);
    n = write(sv[0], huge, sizeof huge);
    printf("a blocking 1 MiB write to a reading child: %zd bytes\n", n);
    printf("the child read them intact: %s\n", status_text(ct_wait(child)));
    close(sv[0]);

    /* Datagrams. */
    OK(socketpair(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK, 0, sv));
    EXPECT_ERRNO("recv of an empty datagram socket", recv(sv[1], buf, sizeof buf, 0), EAGAIN);
    CHECK(send(sv[0], "abc", 3, 0) == 3 && send(sv[0], "defgh", 5, 0) == 5, "send two");
    OK(ioctl(sv[1], FIONREAD, &queued));
    printf("FIONREAD on a datagram socket: %d (the next message)\n", queued);
    int count = 0;
    while (send(sv[0], chunk, 1000, 0) == 1000)
        count++;
    printf("filling a datagram pair ends in %s\n", errno_name(errno));
    CHECK(count > 0, "some fit");
    CHECK(recv(sv[1], buf, sizeof buf, 0) == 3 && recv(sv[1], buf, sizeof buf, 0) == 5, "the two small ones");
    while (recv(sv[1], chunk, sizeof chunk, 0) == 1000) { }
    EXPECT("after draining, a datagram fits again", send(sv[0], "x", 1, 0) == 1);
    close(sv[0]);
    close(sv[1]);

    /* accept and connect. */
    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "s" };
    socklen_t addr_len = offsetof(struct sockaddr_un, sun_path) + 2;
    int server = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    OK(bind(server, (struct sockaddr *)&addr, addr_len));
    OK(listen(server, 0));
    EXPECT_ERRNO("accept with nothing pending", accept(server, NULL, NULL), EAGAIN);
    int c1 = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT("the first connect to a backlog-0 listener", connect(c1, (struct sockaddr *)&addr, addr_len) == 0);
    int c2 = OK(socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK, 0));
    EXPECT_ERRNO("a second, non-blocking", connect(c2, (struct sockaddr *)&addr, addr_len), EAGAIN);
    int a = OK(accept(server, NULL, NULL));
    EXPECT("after an accept, it connects", connect(c2, (struct sockaddr *)&addr, addr_len) == 0);
    close(a);
    ct_pass();
}
