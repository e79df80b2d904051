/* Contract: SOL_SOCKET options on unix sockets: SO_TYPE, SO_DOMAIN,
 * SO_PROTOCOL, SO_ACCEPTCONN, SO_ERROR (0 when nothing failed); SO_SNDBUF
 * and SO_RCVBUF store twice what was set (Linux's bookkeeping); flags like
 * SO_REUSEADDR and SO_PASSCRED read back; SO_PEERCRED of an unconnected
 * socket is pid 0, uid and gid -1; an int option read into a larger buffer
 * reports 4 bytes, into a smaller one is cut; SO_RCVTIMEO makes a
 * blocking recv give up with EAGAIN and reads back as set. */
#include "contract.h"
#include <stddef.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>

static int get_int(int fd, int option)
{
    int value = -12345;
    socklen_t len = sizeof value;
    OK(getsockopt(fd, SOL_SOCKET, option, &value, &len));
    CHECK(len == sizeof value, "int length");
    return value;
}

int main(void)
{
    ct_enter_tmpdir();
    int st = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    int dg = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    int sp = OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    printf("SO_TYPE: stream %d, dgram %d, seqpacket %d\n", get_int(st, SO_TYPE), get_int(dg, SO_TYPE),
           get_int(sp, SO_TYPE));
    printf("SO_DOMAIN %d (AF_UNIX %d), SO_PROTOCOL %d\n", get_int(st, SO_DOMAIN), AF_UNIX, get_int(st, SO_PROTOCOL));
    printf("SO_ERROR %d\n", get_int(st, SO_ERROR));
    printf("SO_ACCEPTCONN before listen %d, ", get_int(st, SO_ACCEPTCONN));
    struct sockaddr_un addr = { .sun_family = AF_UNIX, .sun_path = "l" };
    OK(bind(st, (struct sockaddr *)&addr, offsetof(struct sockaddr_un, sun_path) + 2));
    OK(listen(st, 1));
    printf("after %d\n", get_int(st, SO_ACCEPTCONN));
    EXPECT("default SO_SNDBUF and SO_RCVBUF are positive", get_int(dg, SO_SNDBUF) > 0 && get_int(dg, SO_RCVBUF) > 0);

    int v = 8192;
    OK(setsockopt(dg, SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    OK(setsockopt(dg, SOL_SOCKET, SO_RCVBUF, &v, sizeof v));
    printf("SO_SNDBUF and SO_RCVBUF set to 8192 read back %d and %d\n", get_int(dg, SO_SNDBUF), get_int(dg, SO_RCVBUF));
    int sv[2];
    OK(socketpair(AF_UNIX, SOCK_DGRAM, 0, sv));
    OK(setsockopt(sv[0], SOL_SOCKET, SO_SNDBUF, &v, sizeof v));
    static char big[20000];
    EXPECT_ERRNO("a datagram larger than a 16384-byte send buffer", send(sv[0], big, sizeof big, 0), EMSGSIZE);
    EXPECT("one that fits", send(sv[0], big, 10000, 0) == 10000);

    printf("SO_REUSEADDR %d, ", get_int(dg, SO_REUSEADDR));
    v = 1;
    OK(setsockopt(dg, SOL_SOCKET, SO_REUSEADDR, &v, sizeof v));
    printf("set: %d; SO_PASSCRED %d, ", get_int(dg, SO_REUSEADDR), get_int(dg, SO_PASSCRED));
    v = 5;
    OK(setsockopt(dg, SOL_SOCKET, SO_PASSCRED, &v, sizeof v));
    printf("set to 5: %d; SO_KEEPALIVE %d\n", get_int(dg, SO_PASSCRED), get_int(dg, SO_KEEPALIVE));

    struct ucred cred;
    socklen_t len = sizeof cred;
    OK(getsockopt(dg, SOL_SOCKET, SO_PEERCRED, &cred, &len));
    printf("SO_PEERCRED unconnected: length %d, pid %d, uid %d, gid %d\n", (int)len, (int)cred.pid, (int)cred.uid,
           (int)cred.gid);
    len = sizeof cred;
    OK(getsockopt(sv[0], SOL_SOCKET, SO_PEERCRED, &cred, &len));
    printf("SO_PEERCRED of a socketpair: pid is ours %d, uid %d\n", cred.pid == getpid(), (int)cred.uid);

    char wide[16];
    memset(wide, 0x77, sizeof wide);
    len = sizeof wide;
    OK(getsockopt(dg, SOL_SOCKET, SO_TYPE, wide, &len));
    printf("SO_TYPE into 16 bytes: length %d, byte 4 untouched %d\n", (int)len, wide[4] == 0x77);
    short narrow = 0;
    len = sizeof narrow;
    OK(getsockopt(dg, SOL_SOCKET, SO_TYPE, &narrow, &len));
    printf("SO_TYPE into 2 bytes: length %d, value %d\n", (int)len, narrow);

    struct timeval tv = { 0, 200000 };
    OK(setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv));
    memset(&tv, 0, sizeof tv);
    len = sizeof tv;
    OK(getsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, &len));
    printf("SO_RCVTIMEO reads back %ld.%06ld (length %d)\n", (long)tv.tv_sec, (long)tv.tv_usec, (int)len);
    char buf[16];
    CHECK(recv(sv[1], big, sizeof big, 0) == 10000, "the big one");
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    EXPECT_ERRNO("recv with SO_RCVTIMEO and no data", recv(sv[1], buf, sizeof buf, 0), EAGAIN);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    long ms = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
    printf("  it waited about the timeout: %s\n", ms >= 150 && ms < 2000 ? "yes" : "no");
    tv.tv_usec = 1000000;
    EXPECT_ERRNO("SO_RCVTIMEO with 1000000 us", setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv), EDOM);
    EXPECT_ERRNO("SO_RCVTIMEO with a short length", setsockopt(sv[1], SOL_SOCKET, SO_RCVTIMEO, &tv, 8), EINVAL);
    struct linger l = { 1, 5 };
    OK(setsockopt(dg, SOL_SOCKET, SO_LINGER, &l, sizeof l));
    memset(&l, 0, sizeof l);
    len = sizeof l;
    OK(getsockopt(dg, SOL_SOCKET, SO_LINGER, &l, &len));
    printf("SO_LINGER reads back on %d, %d s\n", l.l_onoff, l.l_linger);
    ct_pass();
}
