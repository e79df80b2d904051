// The in.h names both oracles know (in_test.cpp: glibc's <netinet/in.h>,
// <netinet/tcp.h> and <netinet/udp.h>; in_kernel.cpp: <linux/in.h>,
// <linux/in6.h>, <linux/tcp.h> and <linux/udp.h>).
#pragma once

// clang-format off
#define UAPI_IN_CONSTANTS(X)                                                                                           \
    X(IPPROTO_IP) X(IPPROTO_ICMP) X(IPPROTO_TCP) X(IPPROTO_UDP) X(IPPROTO_IPV6) X(IPPROTO_ICMPV6) X(IPPROTO_SCTP)      \
    X(IPPROTO_UDPLITE) X(IPPROTO_RAW) X(IPPROTO_MAX) X(IP_TOS) X(IP_TTL) X(IP_HDRINCL) X(IP_OPTIONS) X(IP_PKTINFO)     \
    X(IP_MTU_DISCOVER) X(IP_RECVERR) X(IP_RECVTTL) X(IP_RECVTOS) X(IP_MTU) X(IP_FREEBIND) X(IP_TRANSPARENT)            \
    X(IP_BIND_ADDRESS_NO_PORT) X(IP_MULTICAST_IF) X(IP_MULTICAST_TTL) X(IP_MULTICAST_LOOP) X(IP_ADD_MEMBERSHIP)        \
    X(IP_DROP_MEMBERSHIP) X(IP_PMTUDISC_WANT) X(IPV6_UNICAST_HOPS) X(IPV6_MULTICAST_IF) X(IPV6_MULTICAST_HOPS)         \
    X(IPV6_MULTICAST_LOOP) X(IPV6_RECVERR) X(IPV6_V6ONLY) X(IPV6_RECVPKTINFO) X(IPV6_TCLASS) X(TCP_NODELAY)           \
    X(TCP_MAXSEG) X(TCP_CORK) X(TCP_KEEPIDLE) X(TCP_KEEPINTVL) X(TCP_KEEPCNT) X(TCP_SYNCNT) X(TCP_LINGER2)            \
    X(TCP_DEFER_ACCEPT) X(TCP_WINDOW_CLAMP) X(TCP_INFO) X(TCP_QUICKACK) X(TCP_CONGESTION) X(TCP_USER_TIMEOUT)          \
    X(TCP_FASTOPEN) X(TCP_NOTSENT_LOWAT) X(UDP_CORK) X(UDP_SEGMENT) X(UDP_GRO)

#define UAPI_SOCKADDR_IN_FIELDS(X, ns, T) X(ns, T, sin_family) X(ns, T, sin_port) X(ns, T, sin_addr) X(ns, T, sin_zero)
#define UAPI_SOCKADDR_IN6_FIELDS(X, ns, T)                                                                             \
    X(ns, T, sin6_family) X(ns, T, sin6_port) X(ns, T, sin6_flowinfo) X(ns, T, sin6_addr) X(ns, T, sin6_scope_id)
// struct tcp_info's fields but its two bitfield bytes.
#define UAPI_TCP_INFO_FIELDS(X, ns, T)                                                                                 \
    X(ns, T, tcpi_state) X(ns, T, tcpi_ca_state) X(ns, T, tcpi_retransmits) X(ns, T, tcpi_probes)                     \
    X(ns, T, tcpi_backoff) X(ns, T, tcpi_options) X(ns, T, tcpi_rto) X(ns, T, tcpi_ato) X(ns, T, tcpi_snd_mss)          \
    X(ns, T, tcpi_rcv_mss) X(ns, T, tcpi_unacked) X(ns, T, tcpi_sacked) X(ns, T, tcpi_lost) X(ns, T, tcpi_retrans)     \
    X(ns, T, tcpi_fackets) X(ns, T, tcpi_last_data_sent) X(ns, T, tcpi_last_ack_sent) X(ns, T, tcpi_last_data_recv)    \
    X(ns, T, tcpi_last_ack_recv) X(ns, T, tcpi_pmtu) X(ns, T, tcpi_rcv_ssthresh) X(ns, T, tcpi_rtt)                    \
    X(ns, T, tcpi_rttvar) X(ns, T, tcpi_snd_ssthresh) X(ns, T, tcpi_snd_cwnd) X(ns, T, tcpi_advmss)                    \
    X(ns, T, tcpi_reordering) X(ns, T, tcpi_rcv_rtt) X(ns, T, tcpi_rcv_space) X(ns, T, tcpi_total_retrans)

#define UAPI_RECORD_IN_COMMON()                                                                                        \
    UAPI_IN_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                            \
    UAPI_RECORD_TYPE(sockaddr_in6_layout, uapi::sockaddr_in6)                                                          \
    UAPI_SOCKADDR_IN6_FIELDS(UAPI_RECORD_FIELD, sockaddr_in6_layout, uapi::sockaddr_in6)                               \
    UAPI_RECORD_TYPE(in6_addr_layout, uapi::in6_addr)                                                                  \
    UAPI_RECORD_TYPE(in_addr_layout, uapi::in_addr)                                                                    \
    UAPI_RECORD_TYPE(tcp_info_layout, uapi::tcp_info)                                                                  \
    UAPI_TCP_INFO_FIELDS(UAPI_RECORD_FIELD, tcp_info_layout, uapi::tcp_info)

#define UAPI_IN_COMMON_FACTS()                                                                                         \
    UAPI_IN_CONSTANTS(UAPI_FACT_CONSTANT)                                                                              \
    UAPI_FACT_TYPE(sockaddr_in6_layout, struct sockaddr_in6)                                                           \
    UAPI_SOCKADDR_IN6_FIELDS(UAPI_FACT_FIELD, sockaddr_in6_layout, struct sockaddr_in6)                                \
    UAPI_FACT_TYPE(in6_addr_layout, struct in6_addr)                                                                   \
    UAPI_FACT_TYPE(in_addr_layout, struct in_addr)                                                                     \
    UAPI_TCP_INFO_FIELDS(UAPI_FACT_FIELD, tcp_info_layout, struct tcp_info)
// clang-format on
