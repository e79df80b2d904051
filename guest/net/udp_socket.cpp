// UDP on the loopback: a datagram goes straight into the queue of the
// socket bound to its destination. The Linux function each part follows is
// named where it starts (net/ipv4/udp.c, net/ipv6/udp.c, net/ipv4/datagram.c,
// net/ipv6/datagram.c, net/core/datagram.c).
#include <net/inet_socket.h>

#include <new>

namespace net {

namespace {

// The most any UDP datagram carries, before the family's headers count.
constexpr int kMaxUdpPayload = 0xffff;

} // namespace

UdpSocket::UdpSocket(int family) : InetSocket(family, SocketType::Datagram) { }

Result<RefPtr<UdpSocket>> UdpSocket::create(int family) {
    auto* socket = new (std::nothrow) UdpSocket(family);
    if (!socket) return Errno(ENOMEM);
    return RefPtr<UdpSocket>::adopt(socket);
}

UdpSocket::~UdpSocket() {
    if (!m_released) release();
}

void UdpSocket::release() {
    if (m_released) return;
    m_released = true;
    purge_receive_queue();
    leave_port_table();
    m_state = State::Unconnected;
    m_shutdown = kShutdownBoth;
    m_queue.wake_all();
}

// ---- connecting ------------------------------------------------------------------

// inet_dgram_connect, ip4_datagram_connect and ip6_datagram_connect: a
// default destination, and only datagrams from it are taken. The socket
// gets a port first, and the route's source address unless it was bound
// to one. Datagrams already queued stay.
Result<void> UdpSocket::connect(vfs::Context const&, SocketAddress const& raw, bool) {
    if (raw.length < 2) return Errno(EINVAL);
    if (raw.family() == uapi::AF_UNSPEC) {
        disconnect();
        return {};
    }
    if (!is_bound()) TRY(autobind(PortChoice::Automatic));
    InetEndpoint const destination = TRY(destination_from_user(raw, Use::Connect));
    InetEndpoint source = TRY(route(destination));
    source.port = m_local.port;
    m_local = source;
    m_remote = destination;
    m_state = State::Connected;
    m_queue.wake_all();
    return {};
}

// udp_disconnect: the address and port go back unless bind chose them.
void UdpSocket::disconnect() {
    m_state = State::Unconnected;
    m_remote = {};
    if (!m_address_locked) {
        u16 const port = m_local.port;
        m_local = m_family == uapi::AF_INET ? InetEndpoint::v4(0, port) : InetEndpoint {};
        m_local.port = port;
    }
    if (!m_port_locked) {
        leave_port_table();
        m_local.port = 0;
    }
    m_queue.wake_all();
}

// inet_shutdown: flags only; an unconnected socket says ENOTCONN but keeps
// them (a reader blocked on it wakes).
Result<void> UdpSocket::shutdown(int how) {
    if (how < uapi::SHUT_RD || how > uapi::SHUT_RDWR) return Errno(EINVAL);
    m_shutdown |= u8(how + 1);
    m_queue.wake_all();
    if (m_state != State::Connected) return Errno(ENOTCONN);
    return {};
}

Result<SocketAddress> UdpSocket::peer_address() const {
    if (m_state != State::Connected || !m_remote.port) return Errno(ENOTCONN);
    return to_user(m_remote);
}

// ---- sending ---------------------------------------------------------------------

// The socket that takes a datagram for `destination` from `source`: bound
// to its port and address (or a wildcard), and if connected, connected to
// the source; the closest match wins (udp4_lib_lookup2's scores).
UdpSocket* UdpSocket::find_receiver(InetEndpoint const& destination, InetEndpoint const& source) const {
    UdpSocket* best = nullptr;
    int best_score = -1;
    for (auto& socket : s_udp_ports) {
        auto& candidate = static_cast<UdpSocket&>(socket);
        if (candidate.m_local.port != destination.port || candidate.m_released) continue;
        int score = candidate.match_score(destination);
        if (score < 0) continue;
        if (candidate.m_state == State::Connected) {
            if (!(candidate.m_remote == source)) continue;
            score += 8;
        }
        if (score > best_score) {
            best = &candidate;
            best_score = score;
        }
    }
    return best;
}

// udp_sendmsg and udpv6_sendmsg, their checks in their order. Nobody bound
// to the destination: the datagram is dropped, and a socket connected to
// that destination gets ECONNREFUSED for its next call (the ICMP port
// unreachable). A receiver whose buffer is full drops it too.
Result<usize> UdpSocket::send(SendRequest& request) {
    if (request.flags & uapi::MSG_OOB) return Errno(EOPNOTSUPP);
    if (!is_bound()) TRY(autobind(PortChoice::Automatic));
    usize const total = request.data.total();
    if (total > usize(kMaxUdpPayload)) return Errno(EMSGSIZE);
    SocketAddress const* raw = request.destination;
    if (raw && m_family == uapi::AF_INET6) {
        if (raw->length < 2) return Errno(EINVAL);
        if (raw->family() == uapi::AF_UNSPEC) raw = nullptr;
    }
    InetEndpoint destination;
    if (raw) {
        destination = TRY(destination_from_user(*raw, Use::Send));
    } else {
        if (m_state != State::Connected) return Errno(EDESTADDRREQ);
        destination = m_remote;
    }
    InetEndpoint source = TRY(route(destination));
    source.port = m_local.port;
    if (total > (destination.is_v4() ? kMaxPayloadV4 : kMaxPayloadV6)) return Errno(EMSGSIZE);
    TRY(wait_for_send_space(request.non_blocking)); // a pending error, or EPIPE after SHUT_WR

    Message* message = Message::create(total);
    if (!message) return Errno(ENOBUFS);
    if (request.data.read(0, message->data(), total).is_error()) {
        Message::destroy(message);
        return Errno(EFAULT);
    }
    static_assert(sizeof(source) <= sizeof(message->origin));
    __builtin_memcpy(message->origin, &source, sizeof(source));
    UdpSocket* receiver = find_receiver(destination, source);
    if (!receiver || receiver->m_queued_bytes > receiver->m_options.receive_buffer) {
        Message::destroy(message);
        if (!receiver && m_state == State::Connected && destination == m_remote) {
            m_error = ECONNREFUSED;
            m_queue.wake_all();
        }
        return total;
    }
    receiver->enqueue(*message);
    return total;
}

// ---- receiving -------------------------------------------------------------------

Result<usize> UdpSocket::receive(ReceiveRequest& request) {
    if (request.flags & uapi::MSG_ERRQUEUE) return Errno(EAGAIN); // no error queue
    return receive_one_datagram(request, false, [] { return true; });
}

SocketAddress UdpSocket::message_source(Message& message) {
    InetEndpoint source;
    __builtin_memcpy(&source, message.origin, sizeof(source));
    return to_user(source);
}

// udp_poll (datagram_poll): a UDP socket can always send.
u32 UdpSocket::poll_events() {
    constexpr u32 kReadable = vfs::kPollIn | vfs::kPollReadNormal;
    u32 events = vfs::kPollOut | vfs::kPollWriteNormal | u32(uapi::POLLWRBAND);
    if (m_error) events |= vfs::kPollError;
    if (m_shutdown & kReceiveShutdown) events |= vfs::kPollReadHangup | kReadable;
    if (m_shutdown == kShutdownBoth) events |= vfs::kPollHangup;
    if (!m_receive.is_empty()) events |= kReadable;
    return events;
}

// ---- options (udp_lib_setsockopt, udp_lib_getsockopt) ------------------------------------

Result<void> UdpSocket::set_protocol_option(int level, int name, u8 const* value, usize length) {
    if (level != uapi::SOL_UDP) return InetSocket::set_protocol_option(level, name, value, length);
    if (length < sizeof(int)) return Errno(EINVAL);
    if (!value) return Errno(EFAULT);
    int v;
    __builtin_memcpy(&v, value, sizeof(v));
    switch (name) {
    case uapi::UDP_CORK: m_cork = v != 0; return {};
    case uapi::UDP_SEGMENT:
    case uapi::UDP_GRO: return {};
    }
    return Errno(ENOPROTOOPT);
}

Result<usize> UdpSocket::protocol_option(int level, int name, u8* out) {
    if (level != uapi::SOL_UDP) return InetSocket::protocol_option(level, name, out);
    int v;
    switch (name) {
    case uapi::UDP_CORK: v = m_cork; break;
    case uapi::UDP_SEGMENT:
    case uapi::UDP_GRO: v = 0; break;
    default: return Errno(ENOPROTOOPT);
    }
    __builtin_memcpy(out, &v, sizeof(v));
    return sizeof(v);
}

} // namespace net
