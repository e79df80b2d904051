// Internet sockets: the IPv4 and IPv6 socket addresses, the protocol
// numbers, and the IPPROTO_IP, IPPROTO_IPV6, IPPROTO_TCP and IPPROTO_UDP
// option levels (linux/in.h, linux/in6.h, linux/ipv6.h, linux/tcp.h,
// linux/udp.h; libc's <netinet/in.h>, <netinet/tcp.h>, <netinet/udp.h>).
// Addresses and ports are in network byte order, as in the ABI.
#pragma once

#include <uapi/types.h>

#if defined(IPPROTO_TCP) || defined(INADDR_ANY) || defined(IP_TOS) || defined(IPV6_V6ONLY) || defined(TCP_NODELAY)     \
    || defined(UDP_CORK) || defined(s6_addr)
#error "<uapi/in.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// socket(2)'s protocol argument, and the option levels of the same number.
inline constexpr int IPPROTO_IP = 0;
inline constexpr int IPPROTO_ICMP = 1;
inline constexpr int IPPROTO_TCP = 6;
inline constexpr int IPPROTO_UDP = 17;
inline constexpr int IPPROTO_IPV6 = 41;
inline constexpr int IPPROTO_ICMPV6 = 58;
inline constexpr int IPPROTO_SCTP = 132;
inline constexpr int IPPROTO_UDPLITE = 136;
inline constexpr int IPPROTO_RAW = 255;
inline constexpr int IPPROTO_MAX = 263; // protocols at or above: EINVAL
inline constexpr int SOL_IP = IPPROTO_IP;
inline constexpr int SOL_TCP = IPPROTO_TCP;
inline constexpr int SOL_UDP = IPPROTO_UDP;
inline constexpr int SOL_IPV6 = IPPROTO_IPV6;

struct in_addr {
    u32 s_addr; // network byte order
};
static_assert(sizeof(in_addr) == 4);

struct sockaddr_in {
    sa_family_t sin_family; // AF_INET
    u16 sin_port;           // network byte order
    in_addr sin_addr;
    u8 sin_zero[8];
};
static_assert(sizeof(sockaddr_in) == 16);

struct alignas(4) in6_addr { // a union with u32[4] in the headers
    u8 s6_addr[16];
};
static_assert(sizeof(in6_addr) == 16);

struct sockaddr_in6 {
    sa_family_t sin6_family; // AF_INET6
    u16 sin6_port;           // network byte order
    u32 sin6_flowinfo;
    in6_addr sin6_addr;
    u32 sin6_scope_id;
};
static_assert(sizeof(sockaddr_in6) == 28);
// The RFC 2133 sockaddr_in6, without sin6_scope_id: the shortest bind(2)
// and connect(2) take.
inline constexpr usize SIN6_LEN_RFC2133 = 24;

// In host byte order.
inline constexpr u32 INADDR_ANY = 0x00000000;
inline constexpr u32 INADDR_BROADCAST = 0xffffffff;
inline constexpr u32 INADDR_LOOPBACK = 0x7f000001;

// IPPROTO_IP options.
inline constexpr int IP_TOS = 1;
inline constexpr int IP_TTL = 2;
inline constexpr int IP_HDRINCL = 3;
inline constexpr int IP_OPTIONS = 4;
inline constexpr int IP_RECVOPTS = 6;
inline constexpr int IP_RETOPTS = 7;
inline constexpr int IP_PKTINFO = 8;
inline constexpr int IP_MTU_DISCOVER = 10;
inline constexpr int IP_RECVERR = 11;
inline constexpr int IP_RECVTTL = 12;
inline constexpr int IP_RECVTOS = 13;
inline constexpr int IP_MTU = 14;
inline constexpr int IP_FREEBIND = 15;
inline constexpr int IP_TRANSPARENT = 19;
inline constexpr int IP_BIND_ADDRESS_NO_PORT = 24;
inline constexpr int IP_MULTICAST_IF = 32;
inline constexpr int IP_MULTICAST_TTL = 33;
inline constexpr int IP_MULTICAST_LOOP = 34;
inline constexpr int IP_ADD_MEMBERSHIP = 35;
inline constexpr int IP_DROP_MEMBERSHIP = 36;
inline constexpr int IP_PMTUDISC_WANT = 1; // IP_MTU_DISCOVER's default

// IPPROTO_IPV6 options.
inline constexpr int IPV6_UNICAST_HOPS = 16;
inline constexpr int IPV6_MULTICAST_IF = 17;
inline constexpr int IPV6_MULTICAST_HOPS = 18;
inline constexpr int IPV6_MULTICAST_LOOP = 19;
inline constexpr int IPV6_RECVERR = 25;
inline constexpr int IPV6_V6ONLY = 26;
inline constexpr int IPV6_RECVPKTINFO = 49;
inline constexpr int IPV6_TCLASS = 67;

// IPPROTO_TCP options.
inline constexpr int TCP_NODELAY = 1;
inline constexpr int TCP_MAXSEG = 2;
inline constexpr int TCP_CORK = 3;
inline constexpr int TCP_KEEPIDLE = 4;
inline constexpr int TCP_KEEPINTVL = 5;
inline constexpr int TCP_KEEPCNT = 6;
inline constexpr int TCP_SYNCNT = 7;
inline constexpr int TCP_LINGER2 = 8;
inline constexpr int TCP_DEFER_ACCEPT = 9;
inline constexpr int TCP_WINDOW_CLAMP = 10;
inline constexpr int TCP_INFO = 11;
inline constexpr int TCP_QUICKACK = 12;
inline constexpr int TCP_CONGESTION = 13;
inline constexpr int TCP_USER_TIMEOUT = 18;
inline constexpr int TCP_FASTOPEN = 23;
inline constexpr int TCP_NOTSENT_LOWAT = 25;

// The start of TCP_INFO's struct tcp_info, whose fields have kept their
// places since Linux 2.6; later kernels append (Linux 6.18's is 280 bytes).
struct tcp_info {
    u8 tcpi_state; // TCP_ESTABLISHED = 1, ... TCP_LISTEN = 10, TCP_CLOSE = 7
    u8 tcpi_ca_state;
    u8 tcpi_retransmits;
    u8 tcpi_probes;
    u8 tcpi_backoff;
    u8 tcpi_options;
    u8 tcpi_wscale; // snd_wscale:4, rcv_wscale:4
    u8 tcpi_flags;
    u32 tcpi_rto;
    u32 tcpi_ato;
    u32 tcpi_snd_mss;
    u32 tcpi_rcv_mss;
    u32 tcpi_unacked;
    u32 tcpi_sacked;
    u32 tcpi_lost;
    u32 tcpi_retrans;
    u32 tcpi_fackets;
    u32 tcpi_last_data_sent;
    u32 tcpi_last_ack_sent;
    u32 tcpi_last_data_recv;
    u32 tcpi_last_ack_recv;
    u32 tcpi_pmtu;
    u32 tcpi_rcv_ssthresh;
    u32 tcpi_rtt;
    u32 tcpi_rttvar;
    u32 tcpi_snd_ssthresh;
    u32 tcpi_snd_cwnd;
    u32 tcpi_advmss;
    u32 tcpi_reordering;
    u32 tcpi_rcv_rtt;
    u32 tcpi_rcv_space;
    u32 tcpi_total_retrans;
};
static_assert(sizeof(tcp_info) == 104);

// IPPROTO_UDP options.
inline constexpr int UDP_CORK = 1;
inline constexpr int UDP_SEGMENT = 103;
inline constexpr int UDP_GRO = 104;

} // namespace uapi
