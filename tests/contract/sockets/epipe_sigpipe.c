/* Contract: writing to a stream socket whose peer is gone (closed, or shut
 * down for reading) or after one's own shutdown(SHUT_WR) fails with EPIPE
 * and raises SIGPIPE (by default the writer dies of it); MSG_NOSIGNAL
 * keeps the EPIPE and drops the signal. Seqpacket and datagram sockets
 * fail with EPIPE without a signal. A peer that closes with unread data
 * resets the connection: the next read is ECONNRESET, then end-of-file. */
#include "contract.h"
#include <sys/socket.h>
#include <sys/un.h>

static volatile sig_atomic_t caught;
static void on_pipe(int sig) { (void)sig; caught++; }

static void pair(int type, int sv[2]) { OK(socketpair(AF_UNIX, type, 0, sv)); }

int main(void)
{
    int sv[2];
    pair(SOCK_STREAM, sv);
    close(sv[1]);
    pid_t child = ct_fork();
    if (child == 0) {
        signal(SIGPIPE, SIG_DFL);
        (void)!write(sv[0], "x", 1);
        _exit(0);
    }
    int status = ct_wait(child);
    printf("default SIGPIPE: writer %s\n", status_text(status));
    CHECK(WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE, "killed by SIGPIPE");

    signal(SIGPIPE, SIG_IGN);
    EXPECT_ERRNO("write with SIGPIPE ignored", write(sv[0], "x", 1), EPIPE);

    signal(SIGPIPE, on_pipe);
    EXPECT_ERRNO("write with a handler", write(sv[0], "x", 1), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    EXPECT_ERRNO("send with a handler", send(sv[0], "x", 1, 0), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    EXPECT_ERRNO("send(MSG_NOSIGNAL)", send(sv[0], "x", 1, MSG_NOSIGNAL), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    close(sv[0]);

    caught = 0;
    pair(SOCK_STREAM, sv);
    OK(shutdown(sv[0], SHUT_WR));
    EXPECT_ERRNO("write after one's own SHUT_WR", write(sv[0], "x", 1), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    CHECK(write(sv[1], "y", 1) == 1, "the other direction still works");
    close(sv[0]);
    close(sv[1]);

    caught = 0;
    pair(SOCK_STREAM, sv);
    OK(shutdown(sv[1], SHUT_RD));
    EXPECT_ERRNO("write to a peer shut down for reading", write(sv[0], "x", 1), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    close(sv[0]);
    close(sv[1]);

    caught = 0;
    pair(SOCK_SEQPACKET, sv);
    close(sv[1]);
    EXPECT_ERRNO("seqpacket write to a closed peer", write(sv[0], "x", 1), EPIPE);
    EXPECT_ERRNO("seqpacket send to a closed peer", send(sv[0], "x", 1, 0), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    close(sv[0]);

    caught = 0;
    pair(SOCK_DGRAM, sv);
    OK(shutdown(sv[0], SHUT_WR));
    EXPECT_ERRNO("datagram send after SHUT_WR", send(sv[0], "x", 1, 0), EPIPE);
    EXPECT("datagram send the other way", send(sv[1], "x", 1, 0) == 1);
    OK(shutdown(sv[0], SHUT_RD));
    EXPECT_ERRNO("datagram send to a peer shut down for reading", send(sv[1], "x", 1, 0), EPIPE);
    printf("  handler ran %d time(s)\n", (int)caught);
    close(sv[0]);
    close(sv[1]);

    /* Reset: the closing end had unread data. */
    pair(SOCK_STREAM, sv);
    CHECK(write(sv[0], "unread", 6) == 6, "write");
    CHECK(write(sv[1], "for 0", 5) == 5, "write back");
    close(sv[1]);
    char buf[16];
    ssize_t n = read(sv[0], buf, sizeof buf);
    printf("the survivor reads what was sent to it: %zd\n", n);
    int error = 0;
    socklen_t len = sizeof error;
    EXPECT_ERRNO("then a read", read(sv[0], buf, sizeof buf), ECONNRESET);
    printf("then read returns %zd\n", read(sv[0], buf, sizeof buf));
    OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &error, &len));
    printf("SO_ERROR after that: %s\n", errno_name(error));

    pair(SOCK_STREAM, sv);
    CHECK(write(sv[0], "unread", 6) == 6, "write");
    close(sv[1]);
    OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &error, &len));
    printf("SO_ERROR of a reset socket: %s, ", errno_name(error));
    OK(getsockopt(sv[0], SOL_SOCKET, SO_ERROR, &error, &len));
    printf("read again: %s\n", errno_name(error));
    printf("read after SO_ERROR took the error: %zd\n", read(sv[0], buf, sizeof buf));
    ct_pass();
}
