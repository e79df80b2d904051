/* Contract: a SOCK_STREAM socketpair is a bidirectional byte stream:
 * writes join and split freely, read/write/readv/writev/send/recv all work
 * on it, MSG_PEEK leaves the data, MSG_WAITALL waits for all of it,
 * shutdown(SHUT_WR) and close give the peer end-of-file, fstat says
 * S_IFSOCK and /proc/self/fd names it socket:[N]. */
#include "contract.h"
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>

int main(void)
{
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv));

    /* Both directions; two writes read back as one stream. */
    CHECK(write(sv[0], "abc", 3) == 3, "write abc");
    CHECK(write(sv[0], "def", 3) == 3, "write def");
    char buf[64];
    ssize_t n = read(sv[1], buf, sizeof buf);
    printf("two writes, one read: %zd bytes \"%.*s\"\n", n, (int)n, buf);
    CHECK(n == 6 && memcmp(buf, "abcdef", 6) == 0, "stream joins writes");
    CHECK(send(sv[1], "reply", 5, 0) == 5, "send back");
    n = recv(sv[0], buf, sizeof buf, 0);
    printf("other direction: \"%.*s\"\n", (int)n, buf);
    CHECK(n == 5, "reply");

    /* A short read leaves the rest. */
    CHECK(write(sv[0], "0123456789", 10) == 10, "write 10");
    n = read(sv[1], buf, 4);
    printf("read 4 of 10: \"%.*s\"\n", (int)n, buf);
    n = read(sv[1], buf, sizeof buf);
    printf("then the rest: \"%.*s\"\n", (int)n, buf);
    CHECK(n == 6, "rest");

    /* MSG_PEEK. */
    CHECK(write(sv[0], "peek", 4) == 4, "write peek");
    n = recv(sv[1], buf, sizeof buf, MSG_PEEK);
    printf("MSG_PEEK: \"%.*s\"\n", (int)n, buf);
    n = recv(sv[1], buf, 2, MSG_PEEK);
    printf("MSG_PEEK 2: \"%.*s\"\n", (int)n, buf);
    n = recv(sv[1], buf, sizeof buf, 0);
    printf("after peeking, recv: \"%.*s\"\n", (int)n, buf);
    CHECK(n == 4, "peeked data still there");

    /* writev gathers, readv scatters. */
    struct iovec out[3] = { { "one ", 4 }, { "two ", 4 }, { "three", 5 } };
    CHECK(writev(sv[0], out, 3) == 13, "writev");
    char a[5], b[20];
    struct iovec in[2] = { { a, 5 }, { b, sizeof b } };
    n = readv(sv[1], in, 2);
    printf("readv: %zd bytes: \"%.5s\" + \"%.*s\"\n", n, a, (int)(n - 5), b);
    CHECK(n == 13, "readv");

    /* MSG_WAITALL: a reader that wants 8 bytes gets them from two writes. */
    pid_t child = ct_fork();
    if (child == 0) {
        usleep(20000);
        (void)!write(sv[0], "1234", 4);
        usleep(20000);
        (void)!write(sv[0], "5678", 4);
        _exit(0);
    }
    n = recv(sv[1], buf, 8, MSG_WAITALL);
    printf("MSG_WAITALL over two writes: %zd \"%.*s\"\n", n, (int)n, buf);
    CHECK(n == 8, "waitall");
    ct_wait(child);

    /* A blocking read waits for a writer in another process. */
    child = ct_fork();
    if (child == 0) {
        usleep(20000);
        _exit(write(sv[1], "late", 4) == 4 ? 0 : 1);
    }
    n = read(sv[0], buf, sizeof buf);
    printf("blocking read woken by a child: \"%.*s\"\n", (int)n, buf);
    CHECK(n == 4, "late data");
    CHECK(WIFEXITED(ct_wait(child)), "child");

    /* fstat and /proc/self/fd. */
    struct stat st;
    OK(fstat(sv[0], &st));
    printf("fstat: S_ISSOCK %d, mode %04o, nlink %d, size %lld\n", S_ISSOCK(st.st_mode), st.st_mode & 07777,
           (int)st.st_nlink, (long long)st.st_size);
    char link[64], path[64];
    snprintf(path, sizeof path, "/proc/self/fd/%d", sv[0]);
    n = readlink(path, link, sizeof link - 1);
    CHECK(n > 0, "readlink");
    link[n] = 0;
    printf("/proc/self/fd link starts with socket:[ : %s\n", strncmp(link, "socket:[", 8) == 0 ? "yes" : link);
    EXPECT_ERRNO("lseek on a socket", lseek(sv[0], 0, SEEK_SET), ESPIPE);
    EXPECT_ERRNO("pread on a socket", pread(sv[0], buf, 1, 0), ESPIPE);
    EXPECT_ERRNO("open of its /proc/self/fd link", open(path, O_RDWR), ENXIO);

    /* shutdown(SHUT_WR): the peer reads EOF but can still write back. */
    CHECK(write(sv[0], "last", 4) == 4, "write last");
    OK(shutdown(sv[0], SHUT_WR));
    n = read(sv[1], buf, sizeof buf);
    printf("peer after SHUT_WR: \"%.*s\", then read returns %zd\n", (int)n, buf, read(sv[1], buf, sizeof buf));
    CHECK(write(sv[1], "back", 4) == 4, "write after peer's SHUT_WR");
    n = read(sv[0], buf, sizeof buf);
    printf("the shut-down end still reads: \"%.*s\"\n", (int)n, buf);

    /* Close: data written before the close is still read, then EOF. */
    int p2[2];
    OK(socketpair(AF_UNIX, SOCK_STREAM, 0, p2));
    CHECK(write(p2[0], "bye", 3) == 3, "write bye");
    close(p2[0]);
    n = read(p2[1], buf, sizeof buf);
    printf("after the peer closed: \"%.*s\"", (int)n, buf);
    printf(", then %zd\n", read(p2[1], buf, sizeof buf));
    EXPECT("zero-length read returns 0", read(p2[1], buf, 0) == 0);
    ct_pass();
}
