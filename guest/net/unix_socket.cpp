// AF_UNIX sockets. The Linux function each part follows is named where it
// starts (net/unix/af_unix.c); what every family shares is in socket.cpp.
#include <kernel/mm/heap.h>
#include <lib/format.h>
#include <net/unix_socket.h>

#include <new>

namespace net {

IntrusiveList<UnixSocket, &UnixSocket::m_bound_node> UnixSocket::s_bound;

namespace {

u32 g_next_autobind = 0;

constexpr usize kFamilyLength = 2; // offsetof(sockaddr_un, sun_path)

using uapi::AF_UNIX;

} // namespace

// ---- addresses -------------------------------------------------------------------

UnixAddress UnixAddress::unnamed() {
    UnixAddress address;
    u16 const family = AF_UNIX;
    __builtin_memcpy(address.bytes, &family, sizeof(family));
    address.length = kFamilyLength;
    return address;
}

// unix_validate_addr + unix_mkname_bsd.
Result<UnixAddress> UnixAddress::from_user(SocketAddress const& raw) {
    usize const length = raw.length;
    if (length <= kFamilyLength || length > sizeof(uapi::sockaddr_un)) return Errno(EINVAL);
    if (raw.family() != AF_UNIX) return Errno(EINVAL);
    UnixAddress address;
    __builtin_memcpy(address.bytes, raw.bytes, length);
    if (address.bytes[kFamilyLength] == 0) {
        address.length = u32(length); // abstract: every byte counts
        return address;
    }
    // A path need not be NUL-terminated inside `length`; it ends at its
    // first NUL, and the stored address keeps one (so a 108-byte path makes
    // a 111-byte address, as on Linux).
    usize end = kFamilyLength;
    while (end < length && address.bytes[end]) end++;
    address.bytes[end] = 0;
    address.length = u32(end + 1);
    return address;
}

StringView UnixAddress::path() const {
    if (length <= kFamilyLength + 1) return StringView();
    return StringView(reinterpret_cast<char const*>(bytes + kFamilyLength), length - kFamilyLength - 1);
}

// ---- life cycle ------------------------------------------------------------------

UnixSocket::UnixSocket(SocketType type) : Socket(type) { m_max_backlog = kMaxDatagramQueue; }

Result<RefPtr<UnixSocket>> UnixSocket::create(SocketType type) {
    auto* socket = new (std::nothrow) UnixSocket(type);
    if (!socket) return Errno(ENOMEM);
    return RefPtr<UnixSocket>::adopt(socket);
}

UnixSocket::~UnixSocket() {
    // Only a socket that never had a descriptor (a failed connect's server
    // end) gets here unreleased; nothing refers to it.
    if (!m_released) release_as(false);
}

void UnixSocket::connect_pair(UnixSocket& a, UnixSocket& b) {
    PeerCredentials const credentials = current_peer_credentials();
    a.m_peer = RefPtr<Socket>(b);
    b.m_peer = RefPtr<Socket>(a);
    a.m_state = b.m_state = State::Connected;
    a.m_peer_credentials = b.m_peer_credentials = credentials;
}

void UnixSocket::release() {
    release_as(false);
    collect_garbage();
}

void UnixSocket::abort() { release_as(true); }

// unix_release_sock. `embryo`: a connection nobody accepted, dropped with
// its listener; its client sees ECONNRESET.
void UnixSocket::release_as(bool embryo) {
    if (m_released) return;
    m_released = true;
    if (m_bound_node.is_linked()) s_bound.remove(*this);
    m_bound_inode = nullptr;
    State const old_state = m_state;
    m_state = State::Unconnected;
    m_shutdown = kShutdownBoth;
    RefPtr<Socket> peer = static_cast<RefPtr<Socket>&&>(m_peer);
    m_peer = nullptr;
    if (peer) {
        UnixSocket& other = of(*peer);
        if (connection_oriented()) {
            // No more writes; reads see end-of-file -- after ECONNRESET
            // when data we never read is thrown away.
            other.m_shutdown = kShutdownBoth;
            if (!m_receive.is_empty() || embryo) other.m_error = ECONNRESET;
        }
        other.m_queue.wake_all();
    }
    purge_receive_queue();
    if (old_state == State::Listening) drop_backlog();
    m_queue.wake_all();
}

// ---- names -----------------------------------------------------------------------

// An address of just the family asks for an abstract name (autobind).
Result<void> UnixSocket::bind(vfs::Context const& context, SocketAddress const& raw, u32 umask) {
    if (raw.length == kFamilyLength && raw.family() == AF_UNIX) return autobind();
    UnixAddress const address = TRY(UnixAddress::from_user(raw));
    if (address.is_abstract()) return bind_abstract(address);
    return bind_path(context, address, umask);
}

// unix_bind_bsd: the node is made first (EADDRINUSE if the name exists),
// then a socket that already has a name gives EINVAL and the node goes.
Result<void> UnixSocket::bind_path(vfs::Context const& context, UnixAddress const& address, u32 umask) {
    StringView const path = address.path();
    auto made = vfs::mknod(context, path, vfs::kModeSocket | (0777 & ~umask), 0);
    if (made.is_error()) return Errno(made.error().code() == EEXIST ? EADDRINUSE : made.error().code());
    if (m_address.length) {
        (void)vfs::unlink(context, path, false);
        return Errno(EINVAL);
    }
    auto node = vfs::resolve(context, path, vfs::kResolveNoFollow);
    if (node.is_error()) return node.error();
    m_bound_inode = node.value()->inode_ref();
    m_address = address;
    s_bound.append(*this);
    return {};
}

// Abstract names are per socket type, as Linux hashes them.
UnixSocket* UnixSocket::find_abstract(UnixAddress const& address, SocketType type) {
    for (auto& socket : s_bound)
        if (!socket.m_bound_inode && socket.m_type == type && socket.m_address == address) return &socket;
    return nullptr;
}

Result<void> UnixSocket::bind_abstract(UnixAddress const& address) {
    if (m_address.length) return Errno(EINVAL);
    if (find_abstract(address, m_type)) return Errno(EADDRINUSE);
    m_address = address;
    s_bound.append(*this);
    return {};
}

// unix_autobind: an abstract name of five hex digits. Linux starts at a
// random number; here a counter does, which no caller may rely on either.
Result<void> UnixSocket::autobind() {
    if (m_address.length) return {};
    UnixAddress address = UnixAddress::unnamed();
    for (u32 tries = 0; tries < 0x100000; tries++) {
        u32 const number = g_next_autobind++ & 0xfffff;
        char text[8];
        lib::format_to(text, sizeof(text), "%05x", number);
        address.bytes[kFamilyLength] = 0;
        __builtin_memcpy(address.bytes + kFamilyLength + 1, text, 5);
        address.length = kFamilyLength + 6;
        if (!find_abstract(address, m_type)) {
            m_address = address;
            s_bound.append(*this);
            return {};
        }
    }
    return Errno(ENOSPC);
}

// unix_find_other: a path needs write permission and must name a socket
// node some socket is bound to; the types must match.
Result<RefPtr<UnixSocket>> UnixSocket::find(vfs::Context const& context, UnixAddress const& address, SocketType type) {
    if (address.is_abstract()) {
        UnixSocket* found = find_abstract(address, type);
        if (!found) return Errno(ECONNREFUSED);
        return RefPtr<UnixSocket>(found);
    }
    auto custody = TRY(vfs::resolve(context, address.path()));
    Inode& inode = custody->inode();
    TRY(vfs::check_access(context.credentials, inode.metadata(), 2));
    if ((inode.mode() & vfs::kModeTypeMask) != vfs::kModeSocket) return Errno(ECONNREFUSED);
    for (auto& socket : s_bound) {
        if (socket.m_bound_inode.ptr() != &inode) continue;
        if (socket.m_type != type) return Errno(EPROTOTYPE);
        return RefPtr<UnixSocket>(socket);
    }
    return Errno(ECONNREFUSED);
}

SocketAddress UnixSocket::local_address() const { return m_address.length ? m_address : UnixAddress::unnamed(); }

Result<SocketAddress> UnixSocket::peer_address() const {
    if (!m_peer) return Errno(ENOTCONN);
    if (!peer()->m_address.length) return SocketAddress(UnixAddress::unnamed());
    return SocketAddress(peer()->m_address);
}

SocketAddress UnixSocket::message_source(Message& message) { return of(*message.sender).m_address; }

// ---- connections -------------------------------------------------------------------

Result<void> UnixSocket::listen(int backlog) {
    if (m_type == SocketType::Datagram) return Errno(EOPNOTSUPP);
    if (!m_address.length) return Errno(EINVAL); // no listening without a name
    if (m_state != State::Unconnected && m_state != State::Listening) return Errno(EINVAL);
    start_listening(backlog);
    // What a connecting client's SO_PEERCRED will say.
    m_peer_credentials = current_peer_credentials();
    return {};
}

Result<void> UnixSocket::connect(vfs::Context const& context, SocketAddress const& raw, bool non_blocking) {
    if (m_type == SocketType::Datagram) {
        // unix_dgram_connect: AF_UNSPEC dissolves the association.
        if (raw.length < kFamilyLength) return Errno(EINVAL);
        if (raw.family() == uapi::AF_UNSPEC) {
            set_datagram_peer(nullptr);
            return {};
        }
        return connect_datagram(context, TRY(UnixAddress::from_user(raw)));
    }
    return connect_stream(context, TRY(UnixAddress::from_user(raw)), non_blocking);
}

// unix_stream_connect: the server end is made here and waits in the
// listener's backlog, already connected, until accept() takes it. A full
// backlog makes the connector wait (EAGAIN when non-blocking).
Result<void> UnixSocket::connect_stream(vfs::Context const& context, UnixAddress const& address, bool non_blocking) {
    for (;;) {
        RefPtr<UnixSocket> listener = TRY(find(context, address, m_type));
        if (listener->m_state != State::Listening || (listener->m_shutdown & kReceiveShutdown))
            return Errno(ECONNREFUSED);
        if (listener->m_backlog.size() > listener->m_max_backlog) {
            if (non_blocking) return Errno(EAGAIN);
            TRY(wait(&listener->m_queue, m_options.send_timeout_ns, [&] {
                return listener->m_backlog.size() <= listener->m_max_backlog || listener->m_released
                       || listener->m_state != State::Listening;
            }));
            continue;
        }
        if (m_state != State::Unconnected) return Errno(m_state == State::Connected ? EISCONN : EINVAL);
        RefPtr<UnixSocket> server = TRY(create(m_type));
        TRY(listener->m_backlog.try_append(server));
        server->m_peer = RefPtr<Socket>(*this);
        server->m_state = State::Connected;
        server->m_peer_credentials = current_peer_credentials();
        server->m_address = listener->m_address;
        server->m_options.flags = listener->m_options.flags & (1u << uapi::SO_PASSCRED);
        m_peer_credentials = listener->m_peer_credentials;
        m_peer = server;
        m_state = State::Connected;
        listener->m_queue.wake_all();
        m_queue.wake_all();
        return {};
    }
}

// unix_dgram_connect: a default destination. A socket connected to
// someone else refuses us (EPERM).
Result<void> UnixSocket::connect_datagram(vfs::Context const& context, UnixAddress const& address) {
    RefPtr<UnixSocket> other = TRY(find(context, address, m_type));
    if (other->m_peer && other->m_peer.ptr() != this) return Errno(EPERM);
    m_state = State::Connected;
    set_datagram_peer(other);
    return {};
}

// Changing a datagram socket's peer drops what the old one sent (Linux's
// unix_dgram_disconnected); a peer connected back to us learns of it.
void UnixSocket::set_datagram_peer(RefPtr<UnixSocket> peer) {
    RefPtr<Socket> old = m_peer;
    m_peer = peer;
    if (!peer) m_state = State::Unconnected;
    if (old && old != m_peer && !m_receive.is_empty()) {
        purge_receive_queue();
        UnixSocket& previous = of(*old);
        if (!previous.m_released && previous.m_peer.ptr() == this) {
            previous.m_error = ECONNRESET;
            previous.m_queue.wake_all();
        }
    }
    m_queue.wake_all();
}

Result<void> UnixSocket::shutdown(int how) {
    if (how < uapi::SHUT_RD || how > uapi::SHUT_RDWR) return Errno(EINVAL);
    u8 const mode = u8(how + 1); // SHUT_RD -> receive, SHUT_WR -> send, SHUT_RDWR -> both
    m_shutdown |= mode;
    m_queue.wake_all();
    if (m_peer && connection_oriented()) {
        u8 peer_mode = 0;
        if (mode & kReceiveShutdown) peer_mode |= kSendShutdown;
        if (mode & kSendShutdown) peer_mode |= kReceiveShutdown;
        peer()->m_shutdown |= peer_mode;
        peer()->m_queue.wake_all();
    }
    return {};
}

// ---- sending -----------------------------------------------------------------------

Result<usize> UnixSocket::send(SendRequest& request) {
    if (request.flags & uapi::MSG_OOB) return Errno(EOPNOTSUPP);
    if (m_type != SocketType::Stream) return send_datagram(request);
    // unix_stream_sendmsg: an address only asks whether there is one.
    if (request.destination) return Errno(m_state == State::Connected ? EISCONN : EOPNOTSUPP);
    if (!m_peer) return Errno(ENOTCONN);
    if (m_shutdown & kSendShutdown) return broken_pipe(request.flags);
    return send_stream_data(request);
}

Socket::Delivery UnixSocket::deliver(Message& message, SendRequest& request, bool first) {
    UnixSocket* receiver = peer();
    if (!receiver || receiver->m_released || (receiver->m_shutdown & kReceiveShutdown)) return Delivery::BrokenPipe;
    queue_at(*receiver, message, request, first);
    return Delivery::Queued;
}

// unix_dgram_sendmsg (and seqpacket's, which always goes to the peer and
// ignores an address).
Result<usize> UnixSocket::send_datagram(SendRequest& request) {
    bool const seqpacket = m_type == SocketType::SeqPacket;
    UnixAddress destination_address;
    UnixAddress const* destination = nullptr;
    if (seqpacket) {
        if (int error = take_error()) return Errno(error);
        if (m_state != State::Connected) return Errno(ENOTCONN);
    } else if (request.destination) {
        destination_address = TRY(UnixAddress::from_user(*request.destination));
        destination = &destination_address;
    }
    usize const total = request.data.total();
    if (total + 32 > m_options.send_buffer) return Errno(EMSGSIZE);
    TRY(wait_for_send_space(request.non_blocking));

    Message* message = Message::create(total);
    if (!message) return Errno(ENOBUFS);
    struct Holder {
        Message* message;
        ~Holder() {
            if (message) Message::destroy(message);
        }
    } holder { message };
    if (request.data.read(0, message->data(), total).is_error()) return Errno(EFAULT);

    RefPtr<UnixSocket> other;
    if (destination) {
        other = TRY(find(*request.context, *destination, m_type));
    } else {
        other = peer();
        if (!other) return Errno(ENOTCONN);
    }
    for (;;) {
        if (other->m_peer && other->m_peer.ptr() != this) return Errno(EPERM);
        if (other->m_released) {
            if (seqpacket) return Errno(EPIPE);
            if (m_peer.ptr() == other.ptr()) {
                set_datagram_peer(nullptr);
                return Errno(ECONNREFUSED);
            }
            if (!destination) return Errno(ECONNRESET);
            other = TRY(find(*request.context, *destination, m_type));
            continue;
        }
        if (other->m_shutdown & kReceiveShutdown) return Errno(EPIPE);
        // A receiver not connected back to us takes at most
        // max_dgram_qlen datagrams at a time.
        if (other.ptr() != this && other->m_peer.ptr() != this && other->receive_queue_full()) {
            if (request.non_blocking) return Errno(EAGAIN);
            TRY(wait(&other->m_queue, m_options.send_timeout_ns, [&] {
                return !other->receive_queue_full() || other->m_released || (other->m_shutdown & kReceiveShutdown)
                       || other->m_peer.ptr() == this;
            }));
            continue;
        }
        break;
    }
    holder.message = nullptr;
    queue_at(*other, *message, request, true);
    return total;
}

// ---- receiving ---------------------------------------------------------------------

Result<usize> UnixSocket::receive(ReceiveRequest& request) {
    if (request.flags & uapi::MSG_OOB) return Errno(EOPNOTSUPP);
    if (m_type == SocketType::Stream) {
        if (m_state != State::Connected) return Errno(EINVAL);
        return receive_stream_data(request);
    }
    // __unix_dgram_recvmsg. A shut-down seqpacket socket reads end-of-file
    // even when non-blocking; a datagram one only when blocking.
    bool const seqpacket = m_type == SocketType::SeqPacket;
    if (seqpacket && m_state != State::Connected) return Errno(ENOTCONN);
    return receive_one_datagram(request, seqpacket, [&] { return !seqpacket || m_state == State::Connected; });
}

// ---- readiness -----------------------------------------------------------------------

// unix_poll (stream) and unix_dgram_poll (datagram, seqpacket).
u32 UnixSocket::poll_events() {
    u32 events = 0;
    constexpr u32 kReadable = vfs::kPollIn | vfs::kPollReadNormal;
    constexpr u32 kWritable = vfs::kPollOut | vfs::kPollWriteNormal | u32(uapi::POLLWRBAND);
    if (m_error) events |= vfs::kPollError;
    if (m_shutdown == kShutdownBoth) events |= vfs::kPollHangup;
    if (m_shutdown & kReceiveShutdown) events |= vfs::kPollReadHangup | kReadable;
    if (!m_receive.is_empty() || !m_backlog.is_empty()) events |= kReadable;
    // A connection-based socket that is not connected (or listening) hangs up.
    if (connection_oriented() && m_state == State::Unconnected) events |= vfs::kPollHangup;
    bool can_write = writable();
    UnixSocket* other = peer();
    if (can_write && m_type != SocketType::Stream && other && other->m_peer.ptr() != this
        && other->receive_queue_full() && !other->m_released)
        can_write = false;
    if (can_write) events |= kWritable;
    return events;
}

// ---- in-flight garbage (unix_gc) ----------------------------------------------------

// The files in this socket's queue and in those of its unaccepted
// connections (which a client may have sent files to already).
template<typename F>
void UnixSocket::for_each_queued_file(F f) {
    for (auto& message : m_receive)
        for (auto& file : message.files) f(*file);
    for (auto& connection : m_backlog)
        for (auto& message : of(*connection).m_receive)
            for (auto& file : message.files) f(*file);
}

// A socket file whose every reference comes from queued messages is a
// candidate. Candidates referenced from other candidates' queues only
// are unreachable unless a reachable candidate's queue holds them; what
// stays unreachable is garbage, and emptying its queues breaks the cycle.
void UnixSocket::collect_garbage() {
    static bool running = false;
    if (running || SocketFile::s_in_flight.is_empty()) return;
    running = true;
    // Only AF_UNIX sockets carry files (SCM_RIGHTS is theirs alone).
    auto as_socket_file = [](File& file) -> SocketFile* {
        return file.kind() == FileKind::Socket ? static_cast<SocketFile*>(&file) : nullptr;
    };
    auto unix_of = [](SocketFile& file) -> UnixSocket& { return of(file.socket()); };
    Vector<SocketFile*> candidates;
    bool failed = false;
    for (auto& file : SocketFile::s_in_flight) {
        file.m_candidate = file.m_reachable = false;
        if (file.socket().family() != AF_UNIX) continue;
        if (file.ref_count() == file.m_in_flight && candidates.try_append(&file).is_error()) failed = true;
    }
    for (SocketFile* c : candidates) {
        c->m_candidate = true;
        c->m_unreached = c->m_in_flight;
    }
    for (SocketFile* c : candidates) unix_of(*c).for_each_queued_file([&](File& file) {
        if (SocketFile* s = as_socket_file(file); s && s->m_candidate) s->m_unreached--;
    });
    // Referenced from outside the candidates: reachable, with all it holds.
    Vector<SocketFile*> work;
    for (SocketFile* c : candidates) {
        if (c->m_unreached == 0) continue;
        c->m_reachable = true;
        if (work.try_append(c).is_error()) failed = true;
    }
    while (!failed && !work.is_empty()) {
        SocketFile* c = work.take_last();
        unix_of(*c).for_each_queued_file([&](File& file) {
            SocketFile* s = as_socket_file(file);
            if (!s || !s->m_candidate || s->m_reachable) return;
            s->m_reachable = true;
            if (work.try_append(s).is_error()) failed = true;
        });
    }
    // Hold the garbage while its queues are emptied, so that none goes
    // away in the middle; dropping the holds releases it.
    Vector<RefPtr<File>> garbage;
    for (SocketFile* c : candidates) {
        c->m_candidate = false;
        if (!failed && !c->m_reachable && garbage.try_append(RefPtr<File>(c)).is_error()) failed = true;
    }
    if (!failed) {
        for (auto& file : garbage) {
            UnixSocket& socket = unix_of(static_cast<SocketFile&>(*file));
            socket.purge_receive_queue();
            for (auto& connection : socket.m_backlog) of(*connection).purge_receive_queue();
        }
    }
    running = false;
    garbage.clear();
}

} // namespace net
