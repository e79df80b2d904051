// AF_INET and AF_INET6 sockets on the loopback (ip(7), ipv6(7), tcp(7),
// udp(7)): TCP (SOCK_STREAM) and UDP (SOCK_DGRAM).
//
// There is no network device and no IP stack: the only addresses are
// Linux's loopback ones -- 127.0.0.0/8 and ::1, with 0.0.0.0 and :: (the
// wildcards) for bind -- and nothing is ever a packet. A TCP connection is
// two connected sockets, each queueing what the other writes (the shared
// stream machinery of net/socket.h), with TCP's visible semantics: connect
// finds a listener or is refused, a close sends FIN (end-of-file) or, with
// unread data, RST (ECONNRESET), and a peer gone for good answers a write
// with RST (EPIPE). A UDP datagram goes straight into the queue of the
// socket bound to its destination, or it is dropped, as Linux drops what
// nobody listens for (a connected sender learns ECONNREFUSED, as the ICMP
// port unreachable tells it on Linux).
//
// Addresses are kept as IPv6, IPv4 as the mapped ::ffff:a.b.c.d, the way
// Linux's IPv6 sockets see IPv4 traffic: an AF_INET6 socket on :: also
// takes IPv4 unless IPV6_V6ONLY is set, and sees IPv4 peers as mapped
// addresses. Ports live in one table per protocol (the bound sockets),
// which bind's conflict rules (SO_REUSEADDR, SO_REUSEPORT), the ephemeral
// ports (32768-60999, net.ipv4.ip_local_port_range) and every lookup search.
//
// Ownership and concurrency are those of net/socket.h. A TCP connector
// that finds its listener's backlog full waits on the listener's pending
// list (holding a reference to the listener, which holds one to it) until
// accept() makes room; Linux would retransmit its SYN a second later.
//
// Differences from Linux: no TIME_WAIT (a closed connection's port is free
// at once), no urgent data (MSG_OOB), no raw or ICMP sockets, no multicast
// or broadcast delivery, and no addresses but the loopback ones (others are
// EADDRNOTAVAIL for bind, ENETUNREACH for connect and sendto).
#pragma once

#include <net/socket.h>
#include <uapi/in.h>

namespace net {

// An address and a port. IPv4 is kept mapped (::ffff:a.b.c.d).
struct InetEndpoint {
    u8 address[16] {};
    u16 port { 0 }; // host byte order

    static InetEndpoint v4(u32 address, u16 port); // address in host byte order
    bool is_v4() const;                            // ::ffff:0:0/96
    u32 v4_address() const;                        // host byte order
    bool is_unspecified() const;                   // :: (either family's wildcard on a dual socket)
    bool is_wildcard() const { return is_unspecified() || (is_v4() && v4_address() == 0); }
    bool same_address(InetEndpoint const& other) const {
        return __builtin_memcmp(address, other.address, sizeof(address)) == 0;
    }
    bool operator==(InetEndpoint const& other) const { return same_address(other) && port == other.port; }
};

class InetSocket : public Socket {
public:
    // socket(2) for AF_INET and AF_INET6, with inet_create's errors.
    static Result<RefPtr<Socket>> create(int family, int type, int protocol);
    ~InetSocket() override;

    int family() const override { return m_family; }
    Result<void> bind(vfs::Context const& context, SocketAddress const& address, u32 umask) override;
    SocketAddress local_address() const override { return to_user(m_local); }

protected:
    // Which call a destination is for: connect and sendto check lengths
    // and families each their own way.
    enum class Use { Connect, Send };

    InetSocket(int family, SocketType type);
    // The user's sockaddr_in or sockaddr_in6 for connect/sendto, checked as
    // Linux does (EINVAL, EAFNOSUPPORT, ENETUNREACH for IPv4 on a v6-only
    // socket); a wildcard destination means the loopback.
    Result<InetEndpoint> destination_from_user(SocketAddress const& raw, Use use) const;
    // The sockaddr_in (AF_INET socket) or sockaddr_in6 (AF_INET6) of an endpoint.
    SocketAddress to_user(InetEndpoint const& endpoint) const;
    // The source address this socket sends to `destination` from: its own
    // if it is bound to one, else the loopback of the destination's
    // family. ENETUNREACH where no route leads (anything off the loopback).
    Result<InetEndpoint> route(InetEndpoint const& destination) const;

    // The port table. take_port() binds to `local` (port 0: an ephemeral
    // one, odd for bind and even for connect, as Linux prefers), checking
    // conflicts: EADDRINUSE, or when no ephemeral port is free, what each
    // caller's Linux function says.
    enum class PortChoice { Bind, Connect, Automatic };
    Result<void> take_port(InetEndpoint const& local, PortChoice choice);
    Result<void> autobind(PortChoice choice) { return take_port(m_local, choice); }
    bool is_bound() const { return m_bound_node.is_linked(); }
    void leave_port_table();
    // Whether `other`, bound to the same port, keeps this socket from it.
    bool conflicts_with(InetSocket const& other) const;
    bool port_conflicts() const;
    bool port_in_use(u16 port) const;
    // Whether this socket, bound as it is, receives what is sent to
    // `destination`, and how well it matches (-1: not at all; a specific
    // address beats a wildcard, IPv4 sockets IPv6 ones), as Linux's lookups
    // score their candidates.
    bool accepts(InetEndpoint const& destination) const;
    int match_score(InetEndpoint const& destination) const;

    // IPPROTO_IP and IPPROTO_IPV6 options, which TCP and UDP share.
    Result<void> set_protocol_option(int level, int name, u8 const* value, usize length) override;
    Result<usize> protocol_option(int level, int name, u8* out) override;
    Result<void> set_ip_option(int name, u8 const* value, usize length);
    Result<usize> ip_option(int name, u8* out);
    Result<void> set_ipv6_option(int name, u8 const* value, usize length);
    Result<usize> ipv6_option(int name, u8* out);
    // The answer for a level this socket does not have (ip_getsockopt's
    // EOPNOTSUPP, ipv6's ENOPROTOOPT).
    Result<usize> unknown_level_option() const {
        return Errno(m_family == uapi::AF_INET6 ? ENOPROTOOPT : EOPNOTSUPP);
    }

    int m_family;
    u32 m_uid; // who made it, for SO_REUSEPORT
    bool m_address_locked { false }; // SOCK_BINDADDR_LOCK: bound to a specific address
    bool m_port_locked { false };    // SOCK_BINDPORT_LOCK: bound to a specific port
    InetEndpoint m_local;            // getsockname
    InetEndpoint m_remote;           // the peer, when connected
    IntrusiveListNode m_bound_node;
    // The bound sockets of each protocol, which bind, connect and sendto search.
    using PortTable = IntrusiveList<InetSocket, &InetSocket::m_bound_node>;
    static PortTable s_tcp_ports, s_udp_ports;
    PortTable& port_table() const { return m_type == SocketType::Stream ? s_tcp_ports : s_udp_ports; }

    // IP and IPv6 options (values as getsockopt returns them), which a
    // listener passes on to its connections.
    struct IpOptions {
        bool v6only { false }; // IPV6_V6ONLY
        u8 tos { 0 };
        int ttl { -1 }; // -1: the default, 64
        int hop_limit { -1 };
        int multicast_ttl { 1 };
        int traffic_class { 0 };
        int mtu_discover { uapi::IP_PMTUDISC_WANT };
        u32 flags { 0 }; // the boolean IP and IPv6 options, by ip_flag_bit()
    } m_ip;
};

class TcpSocket final : public InetSocket {
public:
    static constexpr u32 kDefaultSendBuffer = 16384;     // net.ipv4.tcp_wmem[1]
    static constexpr u32 kDefaultReceiveBuffer = 131072; // net.ipv4.tcp_rmem[1]

    static Result<RefPtr<TcpSocket>> create(int family);
    ~TcpSocket() override;

    int protocol() const override { return uapi::IPPROTO_TCP; }
    Result<void> listen(int backlog) override;
    Result<void> connect(vfs::Context const& context, SocketAddress const& address, bool non_blocking) override;
    Result<usize> send(SendRequest& request) override;
    Result<usize> receive(ReceiveRequest& request) override;
    Result<void> shutdown(int how) override;
    Result<SocketAddress> peer_address() const override;
    u32 poll_events() override;
    // SIOCOUTQ: what the peer has not acknowledged, which on the loopback
    // is nothing (it acknowledges what it queues).
    int bytes_unsent() const override { return 0; }
    void release() override;
    void abort() override;

private:
    // connect(2)'s progress as the socket layer sees it (Linux's
    // sock->state): a non-blocking connect is reported in progress even
    // when it completed at once, and the next connect() says how it ended.
    enum class ConnectCall { Idle, InProgress, Done };

    explicit TcpSocket(int family);
    TcpSocket* peer() const { return static_cast<TcpSocket*>(m_peer.ptr()); }
    static TcpSocket& of(Socket& socket) { return static_cast<TcpSocket&>(socket); }

    u32 send_capacity() const override;
    bool writable() const override { return u64(m_charge) * 3 <= u64(send_capacity()) * 2; }
    Delivery deliver(Message& message, SendRequest& request, bool first) override;
    SocketAddress message_source(Message&) override { return {}; }
    void backlog_has_room() override;

    Result<void> start_connect(SocketAddress const& raw);
    TcpSocket* find_listener(InetEndpoint const& destination) const;
    Result<void> establish(TcpSocket& listener);
    void refuse(int error);
    // RST: the connection is gone, with `error` for the next call.
    void reset(int error);
    // The error a reset arriving now gives (tcp_reset: EPIPE in CLOSE_WAIT).
    int reset_error() const { return m_end_of_stream && !(m_shutdown & kSendShutdown) ? EPIPE : ECONNRESET; }
    void disconnect();
    void stop_listening();
    void release_with(bool reset_peer);

    Result<void> set_protocol_option(int level, int name, u8 const* value, usize length) override;
    Result<usize> protocol_option(int level, int name, u8* out) override;
    Result<usize> tcp_info(u8* out) const;

    ConnectCall m_connect { ConnectCall::Idle };
    bool m_was_connected { false };
    RefPtr<Socket> m_listener;          // a connector's, while it waits for room in the backlog
    Vector<RefPtr<Socket>> m_connectors; // a listener's, waiting for room

    // IPPROTO_TCP options, which a listener passes on to its connections.
    struct TcpOptions {
        u32 flags { 0 }; // TCP_NODELAY, TCP_CORK, TCP_QUICKACK (inverted), by option number
        int max_segment { 0 }; // TCP_MAXSEG as set; 0: the path's
        int keepalive_idle { 7200 };
        int keepalive_interval { 75 };
        int keepalive_count { 9 };
        int syn_count { 6 };
        int linger2 { 60 };
        int defer_accept { 0 };
        int window_clamp { 0 };
        int user_timeout { 0 };
        int fastopen { 0 };
        int notsent_low_water { 0 };
    } m_tcp;
};

class UdpSocket final : public InetSocket {
public:
    // The largest payloads: 65535 less the IP and UDP headers.
    static constexpr usize kMaxPayloadV4 = 65507;
    static constexpr usize kMaxPayloadV6 = 65527;

    static Result<RefPtr<UdpSocket>> create(int family);
    ~UdpSocket() override;

    int protocol() const override { return uapi::IPPROTO_UDP; }
    Result<void> listen(int) override { return Errno(EOPNOTSUPP); }
    Result<void> connect(vfs::Context const& context, SocketAddress const& address, bool non_blocking) override;
    Result<usize> send(SendRequest& request) override;
    Result<usize> receive(ReceiveRequest& request) override;
    Result<void> shutdown(int how) override;
    Result<SocketAddress> peer_address() const override;
    u32 poll_events() override;
    void release() override;
    void abort() override { release(); }

private:
    explicit UdpSocket(int family);
    // Datagrams go to the receiver at once (the loopback frees the send
    // buffer as it hands a packet over): a sender never waits for room.
    bool writable() const override { return true; }
    Delivery deliver(Message&, SendRequest&, bool) override { return Delivery::BrokenPipe; }
    SocketAddress message_source(Message& message) override;

    void disconnect();
    UdpSocket* find_receiver(InetEndpoint const& destination, InetEndpoint const& source) const;

    Result<void> set_protocol_option(int level, int name, u8 const* value, usize length) override;
    Result<usize> protocol_option(int level, int name, u8* out) override;

    int m_cork { 0 };
};

} // namespace net
