// Sockets: address families and types, the socket address structs, the
// sendmsg(2)/recvmsg(2) ABI with its control messages, and the SOL_SOCKET
// options (linux/socket.h, linux/un.h, asm-generic/socket.h, and the
// kernel's include/linux/socket.h, which user space sees through libc's
// <sys/socket.h>).
#pragma once

#include <uapi/fcntl.h>
#include <uapi/types.h>

#if defined(AF_UNIX) || defined(SOCK_STREAM) || defined(SOL_SOCKET) || defined(SO_TYPE) || defined(MSG_PEEK)           \
    || defined(SHUT_RD) || defined(SCM_RIGHTS)
#error "<uapi/socket.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

inline constexpr int AF_UNSPEC = 0;
inline constexpr int AF_UNIX = 1;
inline constexpr int AF_LOCAL = AF_UNIX;
inline constexpr int AF_INET = 2;
inline constexpr int AF_INET6 = 10;
inline constexpr int AF_NETLINK = 16;

// socket(2)'s type argument: a type in the low bits, or'ed with flags.
inline constexpr int SOCK_STREAM = 1;
inline constexpr int SOCK_DGRAM = 2;
inline constexpr int SOCK_RAW = 3;
inline constexpr int SOCK_SEQPACKET = 5;
inline constexpr int SOCK_TYPE_MASK = 0xf;
inline constexpr int SOCK_NONBLOCK = O_NONBLOCK;
inline constexpr int SOCK_CLOEXEC = O_CLOEXEC;

struct sockaddr {
    sa_family_t sa_family;
    char sa_data[14];
};
static_assert(sizeof(sockaddr) == 16);

// Large enough and aligned for every address family.
struct alignas(8) sockaddr_storage {
    sa_family_t ss_family;
    char _data[126];
};
static_assert(sizeof(sockaddr_storage) == 128);

// An AF_UNIX address. sun_path need not be NUL-terminated: the length given
// to bind(2)/connect(2) bounds it. A leading NUL makes it an abstract name.
inline constexpr usize UNIX_PATH_MAX = 108;

struct sockaddr_un {
    sa_family_t sun_family;
    char sun_path[UNIX_PATH_MAX];
};
static_assert(sizeof(sockaddr_un) == 110);

// sendmsg(2)/recvmsg(2) (the kernel's struct user_msghdr). All pointers are
// user addresses.
struct msghdr {
    u64 msg_name; // a socket address, or 0
    i32 msg_namelen;
    u32 _pad0;
    u64 msg_iov; // iovec[msg_iovlen]
    u64 msg_iovlen;
    u64 msg_control; // a chain of cmsghdr, each CMSG_ALIGN'ed
    u64 msg_controllen;
    i32 msg_flags; // recvmsg(2) output: MSG_TRUNC, MSG_CTRUNC, ...
    u32 _pad1;
};
static_assert(sizeof(msghdr) == 56);

// sendmmsg(2)/recvmmsg(2).
struct mmsghdr {
    msghdr msg_hdr;
    u32 msg_len;
    u32 _pad0;
};
static_assert(sizeof(mmsghdr) == 64);

// A control message header; its data follows at CMSG_LEN(0).
struct cmsghdr {
    u64 cmsg_len; // header plus data, without trailing padding
    i32 cmsg_level;
    i32 cmsg_type;
};
static_assert(sizeof(cmsghdr) == 16);

constexpr u64 CMSG_ALIGN(u64 length) { return (length + sizeof(u64) - 1) & ~(sizeof(u64) - 1); }
constexpr u64 CMSG_LEN(u64 data_length) { return CMSG_ALIGN(sizeof(cmsghdr)) + data_length; }
constexpr u64 CMSG_SPACE(u64 data_length) { return CMSG_ALIGN(sizeof(cmsghdr)) + CMSG_ALIGN(data_length); }

// cmsg_type at SOL_SOCKET.
inline constexpr int SCM_RIGHTS = 0x01; // data: int fds[]
inline constexpr int SCM_CREDENTIALS = 0x02; // data: struct ucred
inline constexpr int SCM_SECURITY = 0x03;

// SCM_CREDENTIALS and SO_PEERCRED.
struct ucred {
    pid_t pid;
    uid_t uid;
    gid_t gid;
};
static_assert(sizeof(ucred) == 12);

// getsockopt(2)/setsockopt(2) level and options (x86-64 values; several
// differ on other architectures).
inline constexpr int SOL_SOCKET = 1;

inline constexpr int SO_DEBUG = 1;
inline constexpr int SO_REUSEADDR = 2;
inline constexpr int SO_TYPE = 3;
inline constexpr int SO_ERROR = 4;
inline constexpr int SO_DONTROUTE = 5;
inline constexpr int SO_BROADCAST = 6;
inline constexpr int SO_SNDBUF = 7;
inline constexpr int SO_RCVBUF = 8;
inline constexpr int SO_KEEPALIVE = 9;
inline constexpr int SO_OOBINLINE = 10;
inline constexpr int SO_NO_CHECK = 11;
inline constexpr int SO_PRIORITY = 12;
inline constexpr int SO_LINGER = 13;
inline constexpr int SO_BSDCOMPAT = 14;
inline constexpr int SO_REUSEPORT = 15;
inline constexpr int SO_PASSCRED = 16;
inline constexpr int SO_PEERCRED = 17; // struct ucred of the peer at connect/socketpair time
inline constexpr int SO_RCVLOWAT = 18;
inline constexpr int SO_SNDLOWAT = 19;
inline constexpr int SO_RCVTIMEO = 20; // struct timeval (SO_RCVTIMEO_OLD; the same layout on x86-64)
inline constexpr int SO_SNDTIMEO = 21;
inline constexpr int SO_BINDTODEVICE = 25;
inline constexpr int SO_TIMESTAMP = 29;
inline constexpr int SO_ACCEPTCONN = 30;
inline constexpr int SO_PEERSEC = 31;
inline constexpr int SO_SNDBUFFORCE = 32;
inline constexpr int SO_RCVBUFFORCE = 33;
inline constexpr int SO_PASSSEC = 34;
inline constexpr int SO_PROTOCOL = 38;
inline constexpr int SO_DOMAIN = 39;
inline constexpr int SO_PEEK_OFF = 42;
inline constexpr int SO_PEERGROUPS = 59;

struct linger {
    i32 l_onoff;
    i32 l_linger; // seconds
};
static_assert(sizeof(linger) == 8);

// listen(2)'s backlog is capped at this (net.core.somaxconn's default).
inline constexpr int SOMAXCONN = 4096;

inline constexpr int SHUT_RD = 0;
inline constexpr int SHUT_WR = 1;
inline constexpr int SHUT_RDWR = 2;

// send(2)/recv(2) flags, and recvmsg(2)'s msg_flags.
inline constexpr int MSG_OOB = 0x01;
inline constexpr int MSG_PEEK = 0x02;
inline constexpr int MSG_DONTROUTE = 0x04;
inline constexpr int MSG_CTRUNC = 0x08; // control data did not fit msg_controllen
inline constexpr int MSG_PROXY = 0x10;
inline constexpr int MSG_TRUNC = 0x20;
inline constexpr int MSG_DONTWAIT = 0x40;
inline constexpr int MSG_EOR = 0x80;
inline constexpr int MSG_WAITALL = 0x100;
inline constexpr int MSG_FIN = 0x200;
inline constexpr int MSG_SYN = 0x400;
inline constexpr int MSG_CONFIRM = 0x800;
inline constexpr int MSG_RST = 0x1000;
inline constexpr int MSG_ERRQUEUE = 0x2000;
inline constexpr int MSG_NOSIGNAL = 0x4000; // EPIPE without SIGPIPE
inline constexpr int MSG_MORE = 0x8000;
inline constexpr int MSG_WAITFORONE = 0x10000;
inline constexpr int MSG_BATCH = 0x40000;
inline constexpr int MSG_ZEROCOPY = 0x4000000;
inline constexpr int MSG_FASTOPEN = 0x20000000;
inline constexpr int MSG_CMSG_CLOEXEC = 0x40000000; // received SCM_RIGHTS fds are O_CLOEXEC

} // namespace uapi
