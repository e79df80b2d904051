/* Contract: the socket calls' errors. socket(2): an unknown family is
 * EAFNOSUPPORT, a type flag other than SOCK_NONBLOCK/SOCK_CLOEXEC or a type
 * past SOCK_PACKET EINVAL, an AF_UNIX type it lacks ESOCKTNOSUPPORT, a
 * protocol other than 0 EPROTONOSUPPORT. Socket calls on a non-socket are
 * ENOTSOCK, on a bad descriptor EBADF. Connect to a missing path is ENOENT,
 * to a node no socket listens on ECONNREFUSED, to a listener of another
 * type EPROTOTYPE; bind to an existing name EADDRINUSE, twice EINVAL; bad
 * address lengths and families EINVAL; and so on, as Linux's man pages
 * say. */
#include "contract.h"
#include <stddef.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>

static socklen_t make_address(struct sockaddr_un *a, char const *path)
{
    memset(a, 0, sizeof *a);
    a->sun_family = AF_UNIX;
    strcpy(a->sun_path, path);
    return offsetof(struct sockaddr_un, sun_path) + strlen(path) + 1;
}

/* An address nothing is mapped at, hidden from the compiler's checks. */
static void *bad_pointer(void)
{
    volatile unsigned long p = 16;
    return (void *)p;
}

int main(void)
{
    ct_enter_tmpdir();
    char buf[16];
    int value = 0;
    socklen_t len = sizeof value;

    EXPECT_ERRNO("socket(family 9999)", socket(9999, SOCK_STREAM, 0), EAFNOSUPPORT);
    EXPECT_ERRNO("socket(family -1)", socket(-1, SOCK_STREAM, 0), EAFNOSUPPORT);
    EXPECT_ERRNO("socket(AF_UNIX, type 0)", socket(AF_UNIX, 0, 0), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("socket(AF_UNIX, SOCK_RDM)", socket(AF_UNIX, SOCK_RDM, 0), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("socket(AF_UNIX, SOCK_PACKET)", socket(AF_UNIX, 10, 0), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("socket(AF_UNIX, type 12)", socket(AF_UNIX, 12, 0), EINVAL);
    EXPECT_ERRNO("socket(AF_UNIX, type with a bad flag)", socket(AF_UNIX, SOCK_STREAM | 0x100, 0), EINVAL);
    EXPECT_ERRNO("socket(AF_UNIX, SOCK_STREAM, protocol 6)", socket(AF_UNIX, SOCK_STREAM, 6), EPROTONOSUPPORT);
    int s = socket(AF_UNIX, SOCK_STREAM, AF_UNIX);
    EXPECT("socket(AF_UNIX, SOCK_STREAM, PF_UNIX) works", s >= 0);
    close(s);
    int sv[2];
    EXPECT_ERRNO("socketpair(family 9999)", socketpair(9999, SOCK_STREAM, 0, sv), EAFNOSUPPORT);
    EXPECT_ERRNO("socketpair(AF_UNIX, type 0)", socketpair(AF_UNIX, 0, 0, sv), ESOCKTNOSUPPORT);
    EXPECT_ERRNO("socketpair to a bad pointer", socketpair(AF_UNIX, SOCK_STREAM, 0, bad_pointer()), EFAULT);

    /* Not a socket, not a descriptor. */
    int file = open("plain", O_RDWR | O_CREAT, 0644);
    struct sockaddr_un addr, other;
    socklen_t addr_len = make_address(&addr, "sock");
    EXPECT_ERRNO("bind on a regular file", bind(file, (struct sockaddr *)&addr, addr_len), ENOTSOCK);
    EXPECT_ERRNO("listen on a regular file", listen(file, 1), ENOTSOCK);
    EXPECT_ERRNO("accept on a regular file", accept(file, NULL, NULL), ENOTSOCK);
    EXPECT_ERRNO("connect on a regular file", connect(file, (struct sockaddr *)&addr, addr_len), ENOTSOCK);
    EXPECT_ERRNO("send on a regular file", send(file, "x", 1, 0), ENOTSOCK);
    EXPECT_ERRNO("recv on a regular file", recv(file, buf, 1, 0), ENOTSOCK);
    EXPECT_ERRNO("getsockname on a regular file", getsockname(file, (struct sockaddr *)&other, &len), ENOTSOCK);
    EXPECT_ERRNO("getsockopt on a regular file", getsockopt(file, SOL_SOCKET, SO_TYPE, &value, &len), ENOTSOCK);
    EXPECT_ERRNO("shutdown on a regular file", shutdown(file, SHUT_RDWR), ENOTSOCK);
    EXPECT_ERRNO("bind on a closed fd", bind(99, (struct sockaddr *)&addr, addr_len), EBADF);
    EXPECT_ERRNO("send on a closed fd", send(99, "x", 1, 0), EBADF);
    EXPECT_ERRNO("accept on a closed fd", accept(99, NULL, NULL), EBADF);
    EXPECT_ERRNO("shutdown on a closed fd", shutdown(99, SHUT_RD), EBADF);

    /* Addresses. */
    int a = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERRNO("connect to a missing path", connect(a, (struct sockaddr *)&addr, addr_len), ENOENT);
    socklen_t file_len = make_address(&other, "plain");
    EXPECT_ERRNO("connect to a regular file", connect(a, (struct sockaddr *)&other, file_len), ECONNREFUSED);
    socklen_t deep_len = make_address(&other, "plain/x");
    EXPECT_ERRNO("connect through a regular file", connect(a, (struct sockaddr *)&other, deep_len), ENOTDIR);
    struct sockaddr_un bad = addr;
    bad.sun_family = AF_INET;
    EXPECT_ERRNO("bind with family AF_INET", bind(a, (struct sockaddr *)&bad, addr_len), EINVAL);
    EXPECT_ERRNO("connect with family AF_INET", connect(a, (struct sockaddr *)&bad, addr_len), EINVAL);
    EXPECT_ERRNO("bind with length 1", bind(a, (struct sockaddr *)&addr, 1), EINVAL);
    EXPECT_ERRNO("bind with length 111", bind(a, (struct sockaddr *)&addr, 111), EINVAL);
    EXPECT_ERRNO("bind with length -1", bind(a, (struct sockaddr *)&addr, -1), EINVAL);
    EXPECT_ERRNO("connect with length 2", connect(a, (struct sockaddr *)&addr, 2), EINVAL);
    EXPECT_ERRNO("bind with a bad pointer", bind(a, bad_pointer(), addr_len), EFAULT);
    EXPECT_ERRNO("bind in a missing directory", bind(a, (struct sockaddr *)&other,
                                                    make_address(&other, "nodir/sock")), ENOENT);

    int listener = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERRNO("listen on an unbound socket", listen(listener, 1), EINVAL);
    OK(bind(listener, (struct sockaddr *)&addr, addr_len));
    EXPECT_ERRNO("bind again", bind(listener, (struct sockaddr *)&other, make_address(&other, "second")), EINVAL);
    EXPECT("  and the second name was not left behind", access("second", F_OK) != 0);
    int b = OK(socket(AF_UNIX, SOCK_STREAM, 0));
    EXPECT_ERRNO("bind to an existing socket node", bind(b, (struct sockaddr *)&addr, addr_len), EADDRINUSE);
    make_address(&other, "plain");
    EXPECT_ERRNO("bind to an existing file", bind(b, (struct sockaddr *)&other, file_len), EADDRINUSE);
    EXPECT_ERRNO("connect to a bound socket that does not listen", connect(a, (struct sockaddr *)&addr, addr_len),
                 ECONNREFUSED);
    EXPECT_ERRNO("accept on a socket that does not listen", accept(listener, NULL, NULL), EINVAL);
    EXPECT_ERRNO("open() of the socket node", open("sock", O_RDWR), ENXIO);
    OK(listen(listener, 1));
    int d = OK(socket(AF_UNIX, SOCK_DGRAM, 0));
    EXPECT_ERRNO("datagram connect to a stream listener", connect(d, (struct sockaddr *)&addr, addr_len), EPROTOTYPE);
    EXPECT_ERRNO("datagram sendto a stream listener", sendto(d, "x", 1, 0, (struct sockaddr *)&addr, addr_len),
                 EPROTOTYPE);
    EXPECT_ERRNO("listen on a datagram socket", listen(d, 1), EOPNOTSUPP);
    EXPECT_ERRNO("accept on a datagram socket", accept(d, NULL, NULL), EOPNOTSUPP);
    EXPECT_ERRNO("connect on a listening socket", connect(listener, (struct sockaddr *)&addr, addr_len), EINVAL);

    /* Not connected, already connected. */
    EXPECT_ERRNO("send on an unconnected stream socket", send(a, "x", 1, 0), ENOTCONN);
    EXPECT_ERRNO("recv on an unconnected stream socket", recv(a, buf, 1, 0), EINVAL);
    EXPECT_ERRNO("getpeername unconnected", getpeername(a, (struct sockaddr *)&other, &len), ENOTCONN);
    EXPECT_ERRNO("sendto with an address, unconnected stream", sendto(a, "x", 1, 0, (struct sockaddr *)&addr, addr_len),
                 EOPNOTSUPP);
    OK(connect(a, (struct sockaddr *)&addr, addr_len));
    EXPECT_ERRNO("connect again", connect(a, (struct sockaddr *)&addr, addr_len), EISCONN);
    EXPECT_ERRNO("connect again to a missing path", connect(a, (struct sockaddr *)&other,
                                                           make_address(&other, "missing")), ENOENT);
    EXPECT_ERRNO("sendto with an address, connected stream", sendto(a, "x", 1, 0, (struct sockaddr *)&addr, addr_len),
                 EISCONN);
    EXPECT_ERRNO("datagram send unconnected", send(d, "x", 1, 0), ENOTCONN);
    EXPECT_ERRNO("datagram sendto a missing path", sendto(d, "x", 1, 0, (struct sockaddr *)&other,
                                                          make_address(&other, "missing")), ENOENT);
    int sp = OK(socket(AF_UNIX, SOCK_SEQPACKET, 0));
    EXPECT_ERRNO("seqpacket send unconnected", send(sp, "x", 1, 0), ENOTCONN);
    EXPECT_ERRNO("seqpacket recv unconnected", recv(sp, buf, 1, MSG_DONTWAIT), ENOTCONN);
    EXPECT_ERRNO("seqpacket connect to a stream listener", connect(sp, (struct sockaddr *)&addr, addr_len), EPROTOTYPE);

    /* shutdown, options. */
    EXPECT_ERRNO("shutdown(how 3)", shutdown(a, 3), EINVAL);
    EXPECT_ERRNO("shutdown(how -1)", shutdown(a, -1), EINVAL);
    EXPECT("shutdown of an unconnected socket is allowed", shutdown(d, SHUT_RDWR) == 0);
    EXPECT_ERRNO("getsockopt of an unknown option", getsockopt(a, SOL_SOCKET, 9999, &value, &len), ENOPROTOOPT);
    EXPECT_ERRNO("getsockopt at level IPPROTO_TCP", getsockopt(a, 6, 1, &value, &len), EOPNOTSUPP);
    EXPECT_ERRNO("setsockopt at level IPPROTO_TCP", setsockopt(a, 6, 1, &value, sizeof value), EOPNOTSUPP);
    EXPECT_ERRNO("setsockopt SO_TYPE", setsockopt(a, SOL_SOCKET, SO_TYPE, &value, sizeof value), ENOPROTOOPT);
    EXPECT_ERRNO("setsockopt with length 2", setsockopt(a, SOL_SOCKET, SO_SNDBUF, &value, 2), EINVAL);
    EXPECT_ERRNO("setsockopt with length -1", setsockopt(a, SOL_SOCKET, SO_SNDBUF, &value, -1), EINVAL);
    EXPECT_ERRNO("setsockopt from a bad pointer", setsockopt(a, SOL_SOCKET, SO_SNDBUF, bad_pointer(), 4), EFAULT);
    socklen_t negative = (socklen_t)-1;
    EXPECT_ERRNO("getsockopt with length -1", getsockopt(a, SOL_SOCKET, SO_TYPE, &value, &negative), EINVAL);
    EXPECT_ERRNO("getsockopt into a bad pointer", getsockopt(a, SOL_SOCKET, SO_TYPE, bad_pointer(), &len), EFAULT);
    EXPECT_ERRNO("getsockopt with a bad length pointer", getsockopt(a, SOL_SOCKET, SO_TYPE, &value, bad_pointer()),
                 EFAULT);
    EXPECT_ERRNO("getsockname with a bad length pointer", getsockname(a, (struct sockaddr *)&other, bad_pointer()),
                 EFAULT);
    len = sizeof other;
    EXPECT_ERRNO("getpeername into a bad pointer", getpeername(a, bad_pointer(), &len), EFAULT);
    EXPECT_ERRNO("send from a bad pointer", send(a, bad_pointer(), 4, 0), EFAULT);
    /* musl's sendmsg/recvmsg read the header themselves: call the kernel. */
    EXPECT_ERRNO("sendmsg with a bad header", syscall(SYS_sendmsg, a, bad_pointer(), 0), EFAULT);
    EXPECT_ERRNO("recvmsg with a bad header", syscall(SYS_recvmsg, a, bad_pointer(), 0), EFAULT);
    EXPECT_ERRNO("ioctl TCGETS on a socket", ioctl(a, TCGETS, buf), ENOTTY);
    ct_pass();
}
