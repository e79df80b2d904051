// TCP on the loopback: a connection is two TcpSockets, each queueing what
// the other writes. The Linux function each part follows is named where it
// starts (net/ipv4/af_inet.c's stream calls, net/ipv4/tcp.c, the states
// of net/ipv4/tcp_input.c as a peer would see them).
#include <net/inet_socket.h>

#include <new>

namespace net {

namespace {

// Linux 6.18's struct tcp_info; ours fills its first fields (uapi/in.h).
constexpr usize kTcpInfoSize = 280;
// tcpi_state values (include/net/tcp_states.h).
constexpr u8 TCP_ESTABLISHED = 1, TCP_SYN_SENT = 2, TCP_FIN_WAIT2 = 5, TCP_CLOSE = 7, TCP_CLOSE_WAIT = 8,
             TCP_LAST_ACK = 9, TCP_LISTEN = 10;
// TCP_MAXSEG: what an unconnected socket reports (TCP_MSS_DEFAULT), what a
// loopback connection settles on, and the range setsockopt takes.
constexpr int kDefaultMss = 536;
constexpr int kLoopbackMssV4 = 32741, kLoopbackMssV6 = 32732;
constexpr int kLoopbackAdvertisedMssV4 = 65483, kLoopbackAdvertisedMssV6 = 65464;
constexpr int kMinMss = 88, kMaxWindow = 65535;
constexpr int kMaxKeepaliveTime = 32767, kMaxKeepaliveProbes = 127;
// The one congestion control there is (net.ipv4.tcp_congestion_control).
constexpr char kCongestionControl[] = "cubic";
constexpr usize kCongestionNameMax = 16; // TCP_CA_NAME_MAX
// What a send buffer or receive window left to grow counts as (see send_capacity).
constexpr u32 kGrownBuffer = 1024 * 1024;

usize put_int(u8* out, int value) {
    __builtin_memcpy(out, &value, sizeof(value));
    return sizeof(value);
}

} // namespace

TcpSocket::TcpSocket(int family) : InetSocket(family, SocketType::Stream) {
    m_options.send_buffer = kDefaultSendBuffer;
    m_options.receive_buffer = kDefaultReceiveBuffer;
}

Result<RefPtr<TcpSocket>> TcpSocket::create(int family) {
    auto* socket = new (std::nothrow) TcpSocket(family);
    if (!socket) return Errno(ENOMEM);
    return RefPtr<TcpSocket>::adopt(socket);
}

TcpSocket::~TcpSocket() {
    // Only a socket that never had a descriptor gets here unreleased.
    if (!m_released) release_with(false);
}

// A sender may have its own buffer queued, and what the receiver's buffer
// holds (Linux: its send queue, and the peer's receive window). Linux grows
// both with the connection, up to net.ipv4.tcp_wmem's and tcp_rmem's
// maximums (4 and 6 MiB), unless SO_SNDBUF or SO_RCVBUF fixed them; here a
// buffer left to grow counts as kGrownBuffer. Fewer, larger hand-overs
// between writer and reader are what makes a loopback connection fast.
u32 TcpSocket::send_capacity() const {
    TcpSocket const* other = peer();
    u32 const send = m_options.send_buffer_locked ? m_options.send_buffer : kGrownBuffer;
    if (!other) return send;
    return send + (other->m_options.receive_buffer_locked ? other->m_options.receive_buffer : kGrownBuffer);
}

// ---- connecting ------------------------------------------------------------------

// __inet_stream_connect. An AF_UNSPEC address disconnects.
Result<void> TcpSocket::connect(vfs::Context const&, SocketAddress const& raw, bool non_blocking) {
    if (raw.length < 2) return Errno(EINVAL);
    if (raw.family() == uapi::AF_UNSPEC) {
        disconnect();
        return {};
    }
    int pending;
    switch (m_connect) {
    case ConnectCall::Done: return Errno(EISCONN);
    case ConnectCall::InProgress: pending = EALREADY; break;
    case ConnectCall::Idle:
        if (m_state != State::Unconnected) return Errno(EISCONN); // a listener
        TRY(start_connect(raw));
        m_connect = ConnectCall::InProgress;
        // Linux has only sent its SYN when a non-blocking connect returns;
        // the answer (even a refusal) is for poll and the next call.
        if (non_blocking) return Errno(EINPROGRESS);
        pending = EINPROGRESS;
        break;
    }
    if (m_state == State::Connecting) {
        if (non_blocking) return Errno(pending);
        auto waited = wait(nullptr, m_options.send_timeout_ns, [&] { return m_state != State::Connecting; });
        if (waited.is_error()) return Errno(waited.error().code() == EAGAIN ? pending : waited.error().code());
    }
    if (m_state != State::Connected) {
        // Refused or reset: the error, and the socket may connect again.
        int const error = take_error();
        m_connect = ConnectCall::Idle;
        m_shutdown = 0;
        return Errno(error ? error : ECONNABORTED);
    }
    m_connect = ConnectCall::Done;
    return {};
}

// tcp_v4_connect/tcp_v6_connect: the route, the source port, then the
// handshake, which on the loopback is a listener's answer at once.
Result<void> TcpSocket::start_connect(SocketAddress const& raw) {
    InetEndpoint const destination = TRY(destination_from_user(raw, Use::Connect));
    InetEndpoint source = TRY(route(destination));
    if (!is_bound()) {
        source.port = 0;
        TRY(take_port(source, PortChoice::Connect));
    } else {
        source.port = m_local.port;
        m_local = source;
    }
    m_remote = destination;
    m_shutdown = 0;
    m_end_of_stream = false;
    m_error = 0;
    TcpSocket* listener = find_listener(destination);
    if (!listener) {
        refuse(ECONNREFUSED);
        return {};
    }
    if (listener->m_backlog.size() > listener->m_max_backlog) {
        // Linux drops the SYN and retransmits it a second later.
        TRY(listener->m_connectors.try_append(RefPtr<Socket>(*this)));
        m_listener = RefPtr<Socket>(*listener);
        m_state = State::Connecting;
        return {};
    }
    return establish(*listener);
}

// The listening socket that takes a connection to `destination`: an exact
// address beats a wildcard (__inet_lookup_listener).
TcpSocket* TcpSocket::find_listener(InetEndpoint const& destination) const {
    TcpSocket* best = nullptr;
    int best_score = -1;
    for (auto& socket : s_tcp_ports) {
        auto& candidate = static_cast<TcpSocket&>(socket);
        if (candidate.m_state != State::Listening || candidate.m_local.port != destination.port) continue;
        int const score = candidate.match_score(destination);
        if (score > best_score) {
            best = &candidate;
            best_score = score;
        }
    }
    return best;
}

// The server end is made here, connected, and waits in the listener's
// backlog until accept() takes it; it has the listener's options, the
// address the client asked for, and the listener's port.
Result<void> TcpSocket::establish(TcpSocket& listener) {
    RefPtr<TcpSocket> server = TRY(create(listener.m_family));
    server->m_options = listener.m_options;
    server->m_ip = listener.m_ip;
    server->m_tcp = listener.m_tcp;
    server->m_local = m_remote;
    server->m_remote = m_local;
    server->m_address_locked = server->m_port_locked = true;
    TRY(listener.m_backlog.try_append(RefPtr<Socket>(server)));
    s_tcp_ports.append(*server);
    server->m_peer = RefPtr<Socket>(*this);
    server->m_state = State::Connected;
    server->m_connect = ConnectCall::Done;
    server->m_was_connected = true;
    m_peer = RefPtr<Socket>(server);
    m_state = State::Connected;
    m_was_connected = true;
    listener.m_queue.wake_all();
    m_queue.wake_all();
    return {};
}

// accept() (or a larger backlog) made room: the connectors waiting get in.
void TcpSocket::backlog_has_room() {
    while (!m_connectors.is_empty() && m_backlog.size() <= m_max_backlog && m_state == State::Listening) {
        RefPtr<Socket> connector = m_connectors[0];
        m_connectors.remove(0);
        TcpSocket& client = of(*connector);
        client.m_listener = nullptr;
        if (client.establish(*this).is_error()) client.refuse(ENOMEM);
    }
}

// A connection that never came to be (tcp_reset in SYN_SENT, tcp_done):
// the error for the next call, everything shut, and the port given back
// unless the caller bound it.
void TcpSocket::refuse(int error) {
    m_error = error;
    m_state = State::Unconnected;
    m_shutdown = kShutdownBoth;
    if (!m_port_locked) leave_port_table();
    m_queue.wake_all();
}

void TcpSocket::reset(int error) {
    m_error = error;
    m_state = State::Unconnected;
    m_shutdown = kShutdownBoth;
    RefPtr<Socket> dropped = static_cast<RefPtr<Socket>&&>(m_peer);
    m_peer = nullptr;
    m_queue.wake_all();
}

// tcp_disconnect (connect with AF_UNSPEC, shutdown of a connecting
// socket): whatever the socket was doing stops, and it may connect anew.
void TcpSocket::disconnect() {
    switch (m_state) {
    case State::Listening: stop_listening(); break;
    case State::Connecting:
        if (m_listener) {
            auto& connectors = of(*m_listener).m_connectors;
            for (usize i = 0; i < connectors.size(); i++) {
                if (connectors[i].ptr() != this) continue;
                connectors.remove(i);
                break;
            }
            m_listener = nullptr;
        }
        m_error = ECONNRESET;
        break;
    case State::Connected:
        if (TcpSocket* other = peer()) other->reset(other->reset_error());
        m_peer = nullptr;
        purge_receive_queue();
        m_error = ECONNRESET;
        break;
    case State::Unconnected: break;
    }
    m_state = State::Unconnected;
    m_shutdown = 0;
    m_end_of_stream = false;
    m_connect = ConnectCall::Idle;
    if (!m_port_locked) leave_port_table();
    m_queue.wake_all();
}

// inet_csk_listen_stop: connections nobody accepted are reset, and
// connectors still waiting are refused.
void TcpSocket::stop_listening() {
    m_state = State::Unconnected;
    drop_backlog();
    while (!m_connectors.is_empty()) {
        RefPtr<Socket> connector = m_connectors.take_last();
        TcpSocket& client = of(*connector);
        client.m_listener = nullptr;
        client.refuse(ECONNREFUSED);
    }
    m_queue.wake_all();
}

// ---- listening -------------------------------------------------------------------

// inet_listen: an unbound socket gets an ephemeral port; a bound one checks
// its port again, now that other sockets may share it only if it does not
// listen.
Result<void> TcpSocket::listen(int backlog) {
    if (m_connect != ConnectCall::Idle) return Errno(EINVAL);
    if (m_state != State::Unconnected && m_state != State::Listening) return Errno(EINVAL);
    if (m_state != State::Listening) {
        if (!is_bound()) TRY(autobind(PortChoice::Bind));
        else if (port_conflicts()) return Errno(EADDRINUSE);
        m_shutdown = 0;
    }
    start_listening(backlog);
    return {};
}

// ---- closing ---------------------------------------------------------------------

void TcpSocket::release() { release_with(false); }
void TcpSocket::abort() { release_with(true); }

// tcp_close: FIN, or RST when data we never read is thrown away (or
// SO_LINGER with a zero timeout, or a listener dropping the connection).
// The peer keeps its reference to us: a write it makes now meets a closed
// socket, which answers RST.
void TcpSocket::release_with(bool reset_peer) {
    if (m_released) return;
    m_released = true;
    switch (m_state) {
    case State::Listening: stop_listening(); break;
    case State::Connecting: disconnect(); break;
    case State::Connected:
        if (TcpSocket* other = peer()) {
            bool const abortive = m_options.linger.l_onoff && m_options.linger.l_linger == 0;
            if (reset_peer || !m_receive.is_empty() || abortive) {
                other->reset(other->reset_error());
            } else if (!(m_shutdown & kSendShutdown)) {
                other->m_shutdown |= kReceiveShutdown;
                other->m_end_of_stream = true;
                other->m_queue.wake_all();
            }
        }
        m_peer = nullptr;
        break;
    case State::Unconnected: break;
    }
    purge_receive_queue();
    leave_port_table();
    m_state = State::Unconnected;
    m_shutdown = kShutdownBoth;
    m_queue.wake_all();
}

// inet_shutdown and tcp_shutdown: SHUT_WR sends FIN; SHUT_RD only stops
// our reads (what arrives is still queued). An unconnected socket says
// ENOTCONN, yet keeps the flags, which poll shows.
Result<void> TcpSocket::shutdown(int how) {
    if (how < uapi::SHUT_RD || how > uapi::SHUT_RDWR) return Errno(EINVAL);
    u8 const mode = u8(how + 1);
    Result<void> result;
    switch (m_state) {
    case State::Unconnected:
        m_shutdown |= mode;
        result = Errno(ENOTCONN);
        break;
    case State::Listening:
        if (mode & kReceiveShutdown) disconnect();
        break;
    case State::Connecting: disconnect(); break;
    case State::Connected: {
        m_connect = ConnectCall::Done;
        bool const fin = (mode & kSendShutdown) && !(m_shutdown & kSendShutdown);
        m_shutdown |= mode;
        TcpSocket* other = peer();
        if (fin && other) {
            other->m_shutdown |= kReceiveShutdown;
            other->m_end_of_stream = true;
            other->m_queue.wake_all();
        }
        break;
    }
    }
    m_queue.wake_all();
    return result;
}

// ---- data ------------------------------------------------------------------------

// tcp_sendmsg_locked. The address of sendto/sendmsg is ignored. Nothing to
// send to: the pending error, or EPIPE with SIGPIPE.
Result<usize> TcpSocket::send(SendRequest& request) {
    if (m_state == State::Connecting) {
        if (int error = take_error()) return Errno(error);
        if (request.non_blocking) return Errno(EAGAIN);
        TRY(wait(nullptr, m_options.send_timeout_ns, [&] { return m_state != State::Connecting; }));
    }
    if (m_state != State::Connected || m_error || (m_shutdown & kSendShutdown)) {
        int const error = take_error();
        if (error && error != EPIPE) return Errno(error);
        return broken_pipe(request.flags);
    }
    return send_stream_data(request);
}

// A peer that has closed, or shut down both ways, answers data with RST:
// the write still counts (Linux has queued it), and both ends are reset.
Socket::Delivery TcpSocket::deliver(Message& message, SendRequest& request, bool first) {
    TcpSocket* receiver = peer();
    if (!receiver) return Delivery::BrokenPipe;
    if (receiver->m_released || receiver->m_shutdown == kShutdownBoth) {
        if (!receiver->m_released) receiver->reset(receiver->reset_error());
        reset(reset_error());
        return Delivery::Swallowed;
    }
    request.files.clear(); // SCM_RIGHTS means nothing here
    queue_at(*receiver, message, request, first);
    return Delivery::Queued;
}

// tcp_recvmsg_locked: queued data first, then end-of-file once the peer's
// FIN came, then a pending error, then end-of-file after a shutdown; a
// socket that never connected is ENOTCONN.
Result<usize> TcpSocket::receive(ReceiveRequest& request) {
    if (request.flags & uapi::MSG_OOB) return Errno(EINVAL);       // no urgent data
    if (request.flags & uapi::MSG_ERRQUEUE) return Errno(EAGAIN); // no error queue
    if (m_state == State::Listening) return Errno(ENOTCONN);
    if (m_state == State::Connecting) {
        if (request.non_blocking) return Errno(EAGAIN);
        TRY(wait(nullptr, m_options.receive_timeout_ns, [&] { return m_state != State::Connecting; }));
    }
    if (m_state == State::Unconnected && m_receive.is_empty() && !m_end_of_stream && !m_error
        && !(m_shutdown & kReceiveShutdown))
        return Errno(ENOTCONN);
    return receive_stream_data(request);
}

Result<SocketAddress> TcpSocket::peer_address() const {
    if (m_state != State::Connected) return Errno(ENOTCONN);
    return to_user(m_remote);
}

// tcp_poll.
u32 TcpSocket::poll_events() {
    constexpr u32 kReadable = vfs::kPollIn | vfs::kPollReadNormal;
    constexpr u32 kWritable = vfs::kPollOut | vfs::kPollWriteNormal;
    if (m_state == State::Listening) return m_backlog.is_empty() ? 0 : kReadable;
    u32 events = 0;
    if (m_shutdown == kShutdownBoth || m_state == State::Unconnected) events |= vfs::kPollHangup;
    if (m_shutdown & kReceiveShutdown) events |= kReadable | vfs::kPollReadHangup;
    if (m_state != State::Connecting) {
        usize queued = 0;
        for (auto& message : m_receive) queued += message.remaining();
        if (queued && queued >= usize(m_options.receive_low_water)) events |= kReadable;
        if ((m_shutdown & kSendShutdown) || writable()) events |= kWritable;
    }
    if (m_error) events |= vfs::kPollError;
    return events;
}

// ---- options (do_tcp_setsockopt, do_tcp_getsockopt) ------------------------------------

Result<void> TcpSocket::set_protocol_option(int level, int name, u8 const* value, usize length) {
    if (level != uapi::SOL_TCP) return InetSocket::set_protocol_option(level, name, value, length);
    if (name == uapi::TCP_CONGESTION) {
        if (!value) return Errno(EFAULT);
        char wanted[kCongestionNameMax + 1] = {};
        __builtin_memcpy(wanted, value, lib::min(length, kCongestionNameMax));
        if (StringView(wanted) != StringView(kCongestionControl)) return Errno(ENOENT);
        return {};
    }
    if (length < sizeof(int)) return Errno(EINVAL);
    if (!value) return Errno(EFAULT);
    int v;
    __builtin_memcpy(&v, value, sizeof(v));
    switch (name) {
    case uapi::TCP_NODELAY:
    case uapi::TCP_CORK:
    case uapi::TCP_QUICKACK:
        // TCP_QUICKACK is on until cleared: its bit is kept inverted.
        if ((v != 0) != (name == uapi::TCP_QUICKACK)) m_tcp.flags |= 1u << name;
        else m_tcp.flags &= ~(1u << name);
        return {};
    case uapi::TCP_MAXSEG:
        if (v && (v < kMinMss || v > kMaxWindow)) return Errno(EINVAL);
        m_tcp.max_segment = v;
        return {};
    case uapi::TCP_KEEPIDLE:
    case uapi::TCP_KEEPINTVL:
        if (v < 1 || v > kMaxKeepaliveTime) return Errno(EINVAL);
        (name == uapi::TCP_KEEPIDLE ? m_tcp.keepalive_idle : m_tcp.keepalive_interval) = v;
        return {};
    case uapi::TCP_KEEPCNT:
    case uapi::TCP_SYNCNT:
        if (v < 1 || v > kMaxKeepaliveProbes) return Errno(EINVAL);
        (name == uapi::TCP_KEEPCNT ? m_tcp.keepalive_count : m_tcp.syn_count) = v;
        return {};
    case uapi::TCP_USER_TIMEOUT:
        if (v < 0) return Errno(EINVAL);
        m_tcp.user_timeout = v;
        return {};
    case uapi::TCP_LINGER2: m_tcp.linger2 = v; return {};
    case uapi::TCP_DEFER_ACCEPT: m_tcp.defer_accept = v < 0 ? 0 : v; return {};
    case uapi::TCP_WINDOW_CLAMP: m_tcp.window_clamp = v; return {};
    case uapi::TCP_FASTOPEN: m_tcp.fastopen = v; return {};
    case uapi::TCP_NOTSENT_LOWAT: m_tcp.notsent_low_water = v; return {};
    }
    return Errno(ENOPROTOOPT);
}

Result<usize> TcpSocket::protocol_option(int level, int name, u8* out) {
    if (level != uapi::SOL_TCP) return InetSocket::protocol_option(level, name, out);
    switch (name) {
    case uapi::TCP_NODELAY:
    case uapi::TCP_CORK:
    case uapi::TCP_QUICKACK: return put_int(out, int((m_tcp.flags >> name) & 1) ^ (name == uapi::TCP_QUICKACK));
    case uapi::TCP_MAXSEG: {
        bool const connected = m_state == State::Connected;
        if (m_tcp.max_segment && !connected) return put_int(out, m_tcp.max_segment);
        if (!connected) return put_int(out, kDefaultMss);
        return put_int(out, m_family == uapi::AF_INET6 && !m_local.is_v4() ? kLoopbackMssV6 : kLoopbackMssV4);
    }
    case uapi::TCP_KEEPIDLE: return put_int(out, m_tcp.keepalive_idle);
    case uapi::TCP_KEEPINTVL: return put_int(out, m_tcp.keepalive_interval);
    case uapi::TCP_KEEPCNT: return put_int(out, m_tcp.keepalive_count);
    case uapi::TCP_SYNCNT: return put_int(out, m_tcp.syn_count);
    case uapi::TCP_USER_TIMEOUT: return put_int(out, m_tcp.user_timeout);
    case uapi::TCP_LINGER2: return put_int(out, m_tcp.linger2);
    case uapi::TCP_DEFER_ACCEPT: return put_int(out, m_tcp.defer_accept);
    case uapi::TCP_WINDOW_CLAMP: return put_int(out, m_tcp.window_clamp);
    case uapi::TCP_FASTOPEN: return put_int(out, m_tcp.fastopen);
    case uapi::TCP_NOTSENT_LOWAT: return put_int(out, m_tcp.notsent_low_water);
    case uapi::TCP_INFO: return tcp_info(out);
    case uapi::TCP_CONGESTION:
        __builtin_memset(out, 0, kCongestionNameMax);
        __builtin_memcpy(out, kCongestionControl, sizeof(kCongestionControl));
        return kCongestionNameMax;
    }
    return Errno(ENOPROTOOPT);
}

// tcp_get_info: the state and what a loopback connection negotiates.
Result<usize> TcpSocket::tcp_info(u8* out) const {
    uapi::tcp_info info {};
    switch (m_state) {
    case State::Listening: info.tcpi_state = TCP_LISTEN; break;
    case State::Connecting: info.tcpi_state = TCP_SYN_SENT; break;
    case State::Unconnected: info.tcpi_state = TCP_CLOSE; break;
    case State::Connected:
        if (m_end_of_stream) info.tcpi_state = (m_shutdown & kSendShutdown) ? TCP_LAST_ACK : TCP_CLOSE_WAIT;
        else info.tcpi_state = (m_shutdown & kSendShutdown) ? TCP_FIN_WAIT2 : TCP_ESTABLISHED;
        break;
    }
    bool const v6 = m_family == uapi::AF_INET6 && !m_local.is_v4();
    if (m_state == State::Connected) {
        info.tcpi_options = 7; // timestamps, SACK, window scaling
        info.tcpi_wscale = 0xaa;
        info.tcpi_snd_mss = u32(v6 ? kLoopbackMssV6 : kLoopbackMssV4);
        info.tcpi_pmtu = m_family == uapi::AF_INET ? 65535 : 65536;
        info.tcpi_advmss = u32(v6 ? kLoopbackAdvertisedMssV6 : kLoopbackAdvertisedMssV4);
        info.tcpi_snd_cwnd = 10;
    }
    info.tcpi_rcv_mss = u32(kDefaultMss);
    info.tcpi_rto = 200000; // TCP_TIMEOUT_INIT's floor, in microseconds
    info.tcpi_snd_ssthresh = 0x7fffffff;
    info.tcpi_rcv_ssthresh = m_options.receive_buffer / 2;
    info.tcpi_reordering = 3;
    __builtin_memset(out, 0, kTcpInfoSize);
    __builtin_memcpy(out, &info, sizeof(info));
    return kTcpInfoSize;
}

} // namespace net
