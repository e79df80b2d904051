// AF_UNIX sockets. The Linux function each part follows is named where it
// starts (net/unix/af_unix.c, net/core/sock.c).
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/scheduler.h>
#include <lib/format.h>
#include <net/unix_socket.h>
#include <uapi/time.h>
#include <uapi/uio.h>

#include <new>

namespace net {

IntrusiveList<UnixSocket, &UnixSocket::m_bound_node> UnixSocket::s_bound;
IntrusiveList<SocketFile, &SocketFile::m_in_flight_node> SocketFile::s_in_flight;

namespace {

u64 g_next_ino = 1;
u32 g_next_autobind = 0;

// What a message costs its sender beyond its bytes, as an sk_buff's
// truesize does on Linux: empty datagrams and one-byte writes still fill
// the send buffer.
constexpr u32 kMessageOverhead = 256;
// A stream write is queued in chunks of at most this (Linux: 32 KiB of
// pages plus the head), so that a reader can start on the first.
constexpr usize kMaxStreamChunk = 32 * 1024;
// Linux's MAX_RW_COUNT: the most one call moves.
constexpr usize kMaxTransfer = 0x7ffff000;
constexpr usize kFamilyLength = 2; // offsetof(sockaddr_un, sun_path)

using uapi::AF_UNIX;

Process& current_process() { return *sched::current()->process; }

// unix_stream_sendmsg: a stream write to a closed peer raises SIGPIPE
// (unless MSG_NOSIGNAL), from the socket layer as on Linux.
void raise_sigpipe() {
    Process& p = current_process();
    signals::Info info;
    info.signo = signals::SIGPIPE;
    info.code = signals::SI_USER;
    info.pid = p.pid();
    info.uid = p.credentials().uid;
    signals::send_to_thread(*sched::current(), info);
}

bool same_credentials(PeerCredentials const& a, PeerCredentials const& b) {
    return a.pid == b.pid && a.uid == b.uid && a.gid == b.gid;
}

} // namespace

PeerCredentials current_peer_credentials() {
    Process& p = current_process();
    return { p.pid(), p.credentials().euid, p.credentials().egid };
}

// ---- addresses -------------------------------------------------------------------

UnixAddress UnixAddress::unnamed() {
    UnixAddress address;
    u16 const family = AF_UNIX;
    __builtin_memcpy(address.bytes, &family, sizeof(family));
    address.length = kFamilyLength;
    return address;
}

// unix_validate_addr + unix_mkname_bsd.
Result<UnixAddress> UnixAddress::from_user(uapi::sockaddr_storage const& raw, usize length) {
    if (length <= kFamilyLength || length > sizeof(uapi::sockaddr_un)) return Errno(EINVAL);
    if (raw.ss_family != AF_UNIX) return Errno(EINVAL);
    UnixAddress address;
    __builtin_memcpy(address.bytes, &raw, length);
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

bool UnixAddress::operator==(UnixAddress const& other) const {
    return length == other.length && __builtin_memcmp(bytes, other.bytes, length) == 0;
}

// ---- data vectors ------------------------------------------------------------------

DataVector::DataVector(IoBuffer buffer, usize length) : m_inline { buffer, length }, m_total(length) { }

DataVector::DataVector(DataVector&& other)
    : m_inline(other.m_inline)
    , m_segments(other.m_segments == &other.m_inline ? &m_inline : other.m_segments)
    , m_count(other.m_count)
    , m_total(other.m_total) {
    other.m_segments = &other.m_inline;
    other.m_count = 0;
    other.m_total = 0;
}

DataVector::~DataVector() {
    if (m_segments != &m_inline) kfree(m_segments);
}

// import_iovec: a negative length is EINVAL, a range outside user space
// EFAULT, and the total is cut at MAX_RW_COUNT.
Result<DataVector> DataVector::from_user(u64 iovecs, usize count) {
    DataVector vector;
    vector.m_count = 0;
    if (count == 0) return vector;
    if (count > uapi::UIO_MAXIOV) return Errno(EINVAL);
    auto* raw = static_cast<uapi::iovec*>(kmalloc(sizeof(uapi::iovec) * count));
    auto* segments = static_cast<Segment*>(kmalloc(sizeof(Segment) * count));
    if (!raw || !segments) {
        kfree(raw);
        kfree(segments);
        return Errno(ENOMEM);
    }
    auto copied = mm::copy_from_user(raw, iovecs, sizeof(uapi::iovec) * count);
    Result<void> status = copied;
    usize total = 0;
    for (usize i = 0; i < count && !status.is_error(); i++) {
        u64 length = raw[i].iov_len;
        if (i64(length) < 0) status = Errno(EINVAL);
        else if (!mm::is_user_range(raw[i].iov_base, length)) status = Errno(EFAULT);
        length = lib::min(length, u64(kMaxTransfer - total));
        total += length;
        new (&segments[i]) Segment { IoBuffer::user(raw[i].iov_base), usize(length) };
    }
    kfree(raw);
    if (status.is_error()) {
        kfree(segments);
        return status.error();
    }
    vector.m_segments = segments;
    vector.m_count = count;
    vector.m_total = total;
    return vector;
}

// read and write walk the segments alike: skip whole segments before
// `offset`, then hand `copy` each piece as (segment buffer, offset in the
// segment, bytes already done, piece length).
template<typename Copy>
Result<void> DataVector::for_each_piece(usize offset, usize length, Copy copy) const {
    usize done = 0;
    for (usize i = 0; i < m_count && done < length; i++) {
        Segment const& s = m_segments[i];
        if (offset >= s.length) {
            offset -= s.length;
            continue;
        }
        usize const n = lib::min(length - done, s.length - offset);
        TRY(copy(s.buffer, offset, done, n));
        done += n;
        offset = 0;
    }
    return {};
}

Result<void> DataVector::read(usize offset, void* destination, usize length) const {
    auto* out = static_cast<u8*>(destination);
    return for_each_piece(offset, length, [out](IoBuffer const& buffer, usize at, usize done, usize n) {
        return buffer.read(at, out + done, n);
    });
}

Result<void> DataVector::write(usize offset, void const* source, usize length) const {
    auto const* in = static_cast<u8 const*>(source);
    return for_each_piece(offset, length, [in](IoBuffer const& buffer, usize at, usize done, usize n) {
        return buffer.write(at, in + done, n);
    });
}

// ---- messages --------------------------------------------------------------------

UnixSocket::Message* UnixSocket::Message::create(usize length) {
    void* memory = kmalloc(sizeof(Message) + length);
    if (!memory) return nullptr;
    auto* message = new (memory) Message;
    message->length = u32(length);
    message->charge = u32(length) + kMessageOverhead;
    return message;
}

void UnixSocket::Message::destroy(Message* message) {
    count_in_flight(message->files, false);
    message->~Message();
    kfree(message);
}

void UnixSocket::count_in_flight(Vector<RefPtr<File>> const& files, bool adding) {
    for (auto const& file : files) {
        if (file->kind() != FileKind::Socket) continue;
        auto& socket_file = static_cast<SocketFile&>(*file);
        if (adding) {
            if (socket_file.m_in_flight++ == 0) SocketFile::s_in_flight.append(socket_file);
        } else if (--socket_file.m_in_flight == 0) {
            SocketFile::s_in_flight.remove(socket_file);
        }
    }
}

// Queues `message` here, charged to its sender.
void UnixSocket::enqueue(Message& message) {
    m_receive.append(message);
    m_queue_length++;
    message.sender->m_charge += message.charge;
    m_queue.wake_all();
}

// Takes `message` off the queue: its sender gets the space back. Only
// those who can now go on are woken -- a sender that was not writable, and
// datagram senders waiting for room in a full queue -- since a reader
// blocked on the same queue would wake for nothing (Linux filters by poll
// key instead).
void UnixSocket::unlink(Message& message) {
    bool const was_full = receive_queue_full();
    m_receive.remove(message);
    m_queue_length--;
    UnixSocket& sender = *message.sender;
    bool const sender_was_writable = sender.writable();
    sender.m_charge -= message.charge;
    if (!sender_was_writable) sender.m_queue.wake_all();
    if (was_full) m_queue.wake_all();
}

void UnixSocket::purge_receive_queue() {
    while (Message* message = m_receive.first()) {
        unlink(*message);
        Message::destroy(message); // may close in-flight files, even sockets
    }
}

// ---- life cycle ------------------------------------------------------------------

UnixSocket::UnixSocket(SocketType type) : m_type(type), m_ino(g_next_ino++) { }

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
    a.m_peer = RefPtr<UnixSocket>(b);
    b.m_peer = RefPtr<UnixSocket>(a);
    a.m_state = b.m_state = State::Connected;
    a.m_peer_credentials = b.m_peer_credentials = credentials;
}

void UnixSocket::release() { release_as(false); }

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
    RefPtr<UnixSocket> peer = static_cast<RefPtr<UnixSocket>&&>(m_peer);
    m_peer = nullptr;
    if (peer) {
        if (connection_oriented()) {
            // No more writes; reads see end-of-file -- after ECONNRESET
            // when data we never read is thrown away.
            peer->m_shutdown = kShutdownBoth;
            if (!m_receive.is_empty() || embryo) peer->m_error = ECONNRESET;
        }
        peer->m_queue.wake_all();
    }
    purge_receive_queue();
    if (old_state == State::Listening) {
        while (!m_backlog.is_empty()) {
            RefPtr<UnixSocket> connection = m_backlog.take_last();
            connection->release_as(true);
        }
    }
    m_queue.wake_all();
}

template<typename Condition>
Result<void> UnixSocket::wait(WaitQueue* other, u64 timeout_ns, Condition condition) {
    u64 const deadline = timeout_ns ? sched::now_ns() + timeout_ns : 0;
    WaitQueue* queues[2] = { &m_queue, other == &m_queue ? nullptr : other };
    Waiter waiters[2];
    auto waited = sched::wait_until_any(queues, waiters, 2, condition, deadline);
    if (!waited.is_error()) return {};
    // sock_intr_errno: a blocking call restarts under SA_RESTART unless the
    // socket has a timeout; running out of time is EAGAIN.
    if (waited.error().code() == ETIMEDOUT) return Errno(EAGAIN);
    if (waited.error().code() == EINTR && !timeout_ns) return Errno(ERESTARTSYS);
    return waited.error();
}

// ---- names -----------------------------------------------------------------------

Result<void> UnixSocket::bind(vfs::Context const& context, UnixAddress const& address, u32 umask) {
    if (address.is_unnamed()) return autobind();
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

Result<UnixAddress> UnixSocket::peer_address() const {
    if (!m_peer) return Errno(ENOTCONN);
    if (!m_peer->m_address.length) return UnixAddress::unnamed();
    return m_peer->m_address;
}

// ---- connections -------------------------------------------------------------------

Result<void> UnixSocket::listen(int backlog) {
    if (m_type == SocketType::Datagram) return Errno(EOPNOTSUPP);
    if (!m_address.length) return Errno(EINVAL); // no listening without a name
    if (m_state != State::Unconnected && m_state != State::Listening) return Errno(EINVAL);
    if (u32(backlog) > m_max_backlog) m_queue.wake_all(); // connectors waiting for room
    m_max_backlog = u32(backlog);
    m_state = State::Listening;
    // What a connecting client's SO_PEERCRED will say.
    m_peer_credentials = current_peer_credentials();
    return {};
}

Result<RefPtr<UnixSocket>> UnixSocket::accept(bool non_blocking) {
    if (m_type == SocketType::Datagram) return Errno(EOPNOTSUPP);
    if (m_state != State::Listening) return Errno(EINVAL);
    for (;;) {
        if (!m_backlog.is_empty()) {
            RefPtr<UnixSocket> connection = m_backlog[0];
            m_backlog.remove(0);
            m_queue.wake_all(); // a connector may wait for room in the backlog
            return connection;
        }
        if (non_blocking) return Errno(EAGAIN);
        if (m_shutdown & kReceiveShutdown) return Errno(EINVAL);
        TRY(wait(nullptr, m_receive_timeout_ns, [&] {
            return !m_backlog.is_empty() || (m_shutdown & kReceiveShutdown) || m_state != State::Listening;
        }));
        if (m_state != State::Listening) return Errno(EINVAL);
    }
}

Result<void> UnixSocket::connect(vfs::Context const& context, UnixAddress const& address, bool non_blocking) {
    if (m_type == SocketType::Datagram) return connect_datagram(context, address);
    return connect_stream(context, address, non_blocking);
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
            TRY(wait(&listener->m_queue, m_send_timeout_ns, [&] {
                return listener->m_backlog.size() <= listener->m_max_backlog || listener->m_released
                       || listener->m_state != State::Listening;
            }));
            continue;
        }
        if (m_state != State::Unconnected) return Errno(m_state == State::Connected ? EISCONN : EINVAL);
        RefPtr<UnixSocket> server = TRY(create(m_type));
        TRY(listener->m_backlog.try_append(server));
        server->m_peer = RefPtr<UnixSocket>(*this);
        server->m_state = State::Connected;
        server->m_peer_credentials = current_peer_credentials();
        server->m_address = listener->m_address;
        server->m_flag_options = listener->m_flag_options & (1u << uapi::SO_PASSCRED);
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

Result<void> UnixSocket::disconnect() {
    if (m_type != SocketType::Datagram) return Errno(EINVAL);
    set_datagram_peer(nullptr);
    return {};
}

// Changing a datagram socket's peer drops what the old one sent (Linux's
// unix_dgram_disconnected); a peer connected back to us learns of it.
void UnixSocket::set_datagram_peer(RefPtr<UnixSocket> peer) {
    RefPtr<UnixSocket> old = m_peer;
    m_peer = peer;
    if (!peer) m_state = State::Unconnected;
    if (old && old != peer && !m_receive.is_empty()) {
        purge_receive_queue();
        if (!old->m_released && old->m_peer.ptr() == this) {
            old->m_error = ECONNRESET;
            old->m_queue.wake_all();
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
        m_peer->m_shutdown |= peer_mode;
        m_peer->m_queue.wake_all();
    }
    return {};
}

// ---- sending -----------------------------------------------------------------------

Result<void> UnixSocket::wait_for_send_space(bool non_blocking) {
    for (;;) {
        if (int error = take_error()) return Errno(error);
        if (m_shutdown & kSendShutdown) return Errno(EPIPE);
        if (m_charge < m_send_buffer) return {};
        if (non_blocking) return Errno(EAGAIN);
        TRY(wait(nullptr, m_send_timeout_ns,
                 [&] { return m_charge < m_send_buffer || m_error || (m_shutdown & kSendShutdown); }));
    }
}

Result<usize> UnixSocket::send(SendRequest& request) {
    if (request.flags & uapi::MSG_OOB) return Errno(EOPNOTSUPP);
    if (m_type == SocketType::Stream) return send_stream(request);
    return send_datagram(request);
}

// unix_stream_sendmsg: chunks, each waiting for room; a partial write
// returns what was queued.
Result<usize> UnixSocket::send_stream(SendRequest& request) {
    if (request.destination) return Errno(m_state == State::Connected ? EISCONN : EOPNOTSUPP);
    if (!m_peer) return Errno(ENOTCONN);
    usize const total = request.data.total();
    usize sent = 0;
    auto broken_pipe = [&]() -> Result<usize> {
        if (sent) return sent;
        if (!(request.flags & uapi::MSG_NOSIGNAL)) raise_sigpipe();
        return Errno(EPIPE);
    };
    if (m_shutdown & kSendShutdown) return broken_pipe();
    while (sent < total) {
        usize const size = lib::min(total - sent, lib::min(usize(m_send_buffer / 2 - 64), kMaxStreamChunk));
        auto space = wait_for_send_space(request.non_blocking);
        if (space.is_error()) {
            if (space.error().code() == EPIPE) return broken_pipe();
            if (sent) return sent;
            return space.error();
        }
        Message* message = Message::create(size);
        if (!message) {
            if (sent) return sent;
            return Errno(ENOMEM);
        }
        if (request.data.read(sent, message->data(), size).is_error()) {
            Message::destroy(message);
            if (sent) return sent;
            return Errno(EFAULT);
        }
        RefPtr<UnixSocket> peer = m_peer;
        if (!peer || peer->m_released || (peer->m_shutdown & kReceiveShutdown)) {
            Message::destroy(message);
            return broken_pipe();
        }
        message->sender = RefPtr<UnixSocket>(*this);
        message->credentials = request.credentials;
        if (sent == 0) { // the first chunk only
            message->files = static_cast<Vector<RefPtr<File>>&&>(request.files);
            count_in_flight(message->files, true);
        }
        peer->enqueue(*message);
        sent += size;
    }
    return sent;
}

// unix_dgram_sendmsg (and seqpacket's, which always goes to the peer).
Result<usize> UnixSocket::send_datagram(SendRequest& request) {
    bool const seqpacket = m_type == SocketType::SeqPacket;
    UnixAddress const* destination = request.destination;
    if (seqpacket) {
        if (int error = take_error()) return Errno(error);
        if (m_state != State::Connected) return Errno(ENOTCONN);
        destination = nullptr;
    }
    usize const total = request.data.total();
    if (total + 32 > m_send_buffer) return Errno(EMSGSIZE);
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
        other = m_peer;
        if (!other) return Errno(ENOTCONN);
    }
    for (;;) {
        if (other->m_peer && other->m_peer.ptr() != this) return Errno(EPERM);
        if (other->m_released) {
            if (seqpacket) return Errno(EPIPE);
            if (m_peer == other) {
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
            TRY(wait(&other->m_queue, m_send_timeout_ns, [&] {
                return !other->receive_queue_full() || other->m_released || (other->m_shutdown & kReceiveShutdown)
                       || other->m_peer.ptr() == this;
            }));
            continue;
        }
        break;
    }
    message->sender = RefPtr<UnixSocket>(*this);
    message->credentials = request.credentials;
    message->files = static_cast<Vector<RefPtr<File>>&&>(request.files);
    count_in_flight(message->files, true);
    holder.message = nullptr;
    other->enqueue(*message);
    return total;
}

// ---- receiving ---------------------------------------------------------------------

Result<usize> UnixSocket::receive(ReceiveRequest& request) {
    if (request.flags & uapi::MSG_OOB) return Errno(EOPNOTSUPP);
    if (m_type == SocketType::Stream) return receive_stream(request);
    return receive_datagram(request);
}

// unix_stream_read_generic: joins messages until the buffer is full, the
// queue is empty (after at least SO_RCVLOWAT bytes, or all with
// MSG_WAITALL), or a message brings files. With SO_PASSCRED, messages from
// different writers are not joined.
Result<usize> UnixSocket::receive_stream(ReceiveRequest& request) {
    if (m_state != State::Connected) return Errno(EINVAL);
    bool const peek = request.flags & uapi::MSG_PEEK;
    bool const pass_credentials = m_flag_options & (1u << uapi::SO_PASSCRED);
    usize size = request.data.total();
    usize target = (request.flags & uapi::MSG_WAITALL) ? size : lib::min(usize(m_receive_low_water), size);
    if (!target) target = 1; // even a zero-length read waits for data
    usize copied = 0;
    int error = 0;
    usize peek_index = 0; // MSG_PEEK walks the queue without taking
    for (;;) {
        Message* message = nullptr;
        usize index = 0;
        for (auto& queued : m_receive) {
            if (index++ == peek_index) {
                message = &queued;
                break;
            }
        }
        if (!message) {
            if (copied >= target) break;
            if ((error = take_error())) break;
            if (m_shutdown & kReceiveShutdown) break;
            if (request.non_blocking) {
                error = EAGAIN;
                break;
            }
            auto waited = wait(nullptr, m_receive_timeout_ns,
                               [&] { return !m_receive.is_empty() || m_error || (m_shutdown & kReceiveShutdown); });
            if (waited.is_error()) {
                if (copied) return copied;
                return waited.error();
            }
            continue;
        }
        if (request.has_credentials && pass_credentials) {
            if (!same_credentials(message->credentials, request.credentials)) break; // never glue writers
        } else if (!request.has_credentials) {
            request.credentials = message->credentials;
            request.has_credentials = true;
        }
        if (request.want_address) request.source = message->sender->m_address;
        usize const chunk = lib::min(usize(message->remaining()), size);
        if (request.data.write(copied, message->data() + message->consumed, chunk).is_error()) {
            if (copied) return copied;
            return Errno(EFAULT);
        }
        copied += chunk;
        size -= chunk;
        if (!peek) {
            message->consumed += u32(chunk);
            bool const had_files = !message->files.is_empty();
            if (had_files) {
                count_in_flight(message->files, false);
                request.files = static_cast<Vector<RefPtr<File>>&&>(message->files);
            }
            if (message->remaining()) break;
            unlink(*message);
            Message::destroy(message);
            if (had_files) break;
        } else {
            if (!message->files.is_empty()) {
                for (auto& file : message->files) (void)request.files.try_append(file);
                break;
            }
            peek_index++;
            if (peek_index >= m_queue_length) break; // peeking does not wait for more
        }
        if (!size) break;
    }
    if (copied) return copied;
    if (error) return Errno(error);
    return usize(0);
}

// __unix_dgram_recvmsg: one message; the rest of a long one is dropped
// (MSG_TRUNC says so, and as a flag returns its real length).
Result<usize> UnixSocket::receive_datagram(ReceiveRequest& request) {
    bool const seqpacket = m_type == SocketType::SeqPacket;
    if (seqpacket && m_state != State::Connected) return Errno(ENOTCONN);
    Message* message;
    for (;;) {
        if (int error = take_error()) return Errno(error);
        message = m_receive.first();
        if (message) break;
        // A shut-down seqpacket socket reads end-of-file even when
        // non-blocking; a datagram one only when blocking.
        if (request.non_blocking) {
            if (seqpacket && (m_shutdown & kReceiveShutdown)) return usize(0);
            return Errno(EAGAIN);
        }
        if (m_shutdown & kReceiveShutdown) return usize(0);
        if (seqpacket && m_state != State::Connected) return Errno(ENOTCONN);
        TRY(wait(nullptr, m_receive_timeout_ns, [&] {
            return !m_receive.is_empty() || m_error || (m_shutdown & kReceiveShutdown)
                   || (seqpacket && m_state != State::Connected);
        }));
    }
    bool const peek = request.flags & uapi::MSG_PEEK;
    if (!peek) unlink(*message);
    if (request.want_address) request.source = message->sender->m_address;
    usize const size = request.data.total();
    usize const length = message->length;
    usize const n = lib::min(size, length);
    if (n < length) request.message_flags |= uapi::MSG_TRUNC;
    auto copied = request.data.write(0, message->data(), n);
    request.credentials = message->credentials;
    request.has_credentials = true;
    if (peek) {
        for (auto& file : message->files) (void)request.files.try_append(file);
    } else {
        count_in_flight(message->files, false);
        request.files = static_cast<Vector<RefPtr<File>>&&>(message->files);
        Message::destroy(message); // taken even if the copy failed, as on Linux
    }
    if (copied.is_error()) return Errno(EFAULT);
    return (request.flags & uapi::MSG_TRUNC) ? length : n;
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
    if (can_write && m_type != SocketType::Stream && m_peer && m_peer->m_peer.ptr() != this
        && m_peer->receive_queue_full() && !m_peer->m_released)
        can_write = false;
    if (can_write) events |= kWritable;
    return events;
}

Result<int> UnixSocket::bytes_readable() {
    if (m_state == State::Listening) return Errno(EINVAL);
    int amount = 0;
    if (m_type == SocketType::Datagram) {
        if (Message* first = m_receive.first()) amount = int(first->length);
        return amount;
    }
    for (auto& message : m_receive) amount += int(message.remaining());
    return amount;
}

// ---- options (sk_setsockopt, sk_getsockopt) ------------------------------------------

namespace {

constexpr int SO_RCVTIMEO_NEW = 66, SO_SNDTIMEO_NEW = 67;
constexpr u64 kNsPerUs = 1000, kUsPerSecond = 1000000;

bool is_flag_option(int name) {
    switch (name) {
    case uapi::SO_DEBUG:
    case uapi::SO_REUSEADDR:
    case uapi::SO_DONTROUTE:
    case uapi::SO_BROADCAST:
    case uapi::SO_KEEPALIVE:
    case uapi::SO_OOBINLINE:
    case uapi::SO_REUSEPORT:
    case uapi::SO_PASSCRED: return true;
    }
    return false;
}

bool privileged() { return current_process().credentials().euid == 0; }

// SO_SNDBUF/SO_RCVBUF (capped at wmem_max/rmem_max) and their FORCE forms
// (uncapped; negative is 0), doubled for bookkeeping as Linux does.
u32 doubled_buffer_size(int value, bool force) {
    u32 size = force ? u32(value) : lib::min(u32(value), UnixSocket::kMaxBufferSize);
    if (force && value < 0) size = 0;
    return lib::min(size, u32(0x7fffffff / 2)) * 2;
}

} // namespace

Result<void> UnixSocket::set_option(int name, u8 const* value, usize length) {
    if (length < sizeof(int)) return Errno(EINVAL);
    int v;
    __builtin_memcpy(&v, value, sizeof(v));
    if (is_flag_option(name)) {
        if (name == uapi::SO_DEBUG && v && !privileged()) return Errno(EACCES);
        if (v) m_flag_options |= 1u << name;
        else m_flag_options &= ~(1u << name);
        return {};
    }
    switch (name) {
    case uapi::SO_SNDBUF:
    case uapi::SO_SNDBUFFORCE: {
        bool const force = name == uapi::SO_SNDBUFFORCE;
        if (force && !privileged()) return Errno(EPERM);
        m_send_buffer = lib::max(doubled_buffer_size(v, force), kMinSendBuffer);
        m_queue.wake_all();
        return {};
    }
    case uapi::SO_RCVBUF:
    case uapi::SO_RCVBUFFORCE: {
        bool const force = name == uapi::SO_RCVBUFFORCE;
        if (force && !privileged()) return Errno(EPERM);
        m_receive_buffer = lib::max(doubled_buffer_size(v, force), kMinReceiveBuffer);
        return {};
    }
    case uapi::SO_PRIORITY:
        if ((v < 0 || v > 6) && !privileged()) return Errno(EPERM);
        m_priority = v;
        return {};
    case uapi::SO_LINGER: {
        if (length < sizeof(uapi::linger)) return Errno(EINVAL);
        __builtin_memcpy(&m_linger, value, sizeof(m_linger));
        if (!m_linger.l_onoff) m_linger = {};
        return {};
    }
    case uapi::SO_RCVLOWAT: m_receive_low_water = v < 0 ? 0x7fffffff : (v ? v : 1); return {};
    case uapi::SO_RCVTIMEO:
    case uapi::SO_SNDTIMEO:
    case SO_RCVTIMEO_NEW:
    case SO_SNDTIMEO_NEW: {
        // sock_set_timeout: {0, 0} waits forever; a negative time does not wait.
        uapi::timeval tv;
        if (length < sizeof(tv)) return Errno(EINVAL);
        __builtin_memcpy(&tv, value, sizeof(tv));
        if (tv.tv_usec < 0 || u64(tv.tv_usec) >= kUsPerSecond) return Errno(EDOM);
        u64 ns;
        if (tv.tv_sec < 0) ns = 1;
        else ns = (u64(tv.tv_sec) * kUsPerSecond + u64(tv.tv_usec)) * kNsPerUs;
        bool const receive = name == uapi::SO_RCVTIMEO || name == SO_RCVTIMEO_NEW;
        (receive ? m_receive_timeout_ns : m_send_timeout_ns) = ns;
        return {};
    }
    }
    // SO_TYPE, SO_ERROR, SO_PEERCRED, ... cannot be set; the rest are not known.
    return Errno(ENOPROTOOPT);
}

Result<usize> UnixSocket::option(int name, u8* out) {
    int v = 0;
    if (is_flag_option(name)) {
        v = (m_flag_options >> name) & 1;
    } else {
        switch (name) {
        case uapi::SO_TYPE: v = int(m_type); break;
        case uapi::SO_PROTOCOL: v = 0; break;
        case uapi::SO_DOMAIN: v = AF_UNIX; break;
        case uapi::SO_ERROR: v = take_error(); break;
        case uapi::SO_ACCEPTCONN: v = m_state == State::Listening; break;
        case uapi::SO_SNDBUF: v = int(m_send_buffer); break;
        case uapi::SO_RCVBUF: v = int(m_receive_buffer); break;
        case uapi::SO_PRIORITY: v = m_priority; break;
        case uapi::SO_RCVLOWAT: v = m_receive_low_water; break;
        case uapi::SO_SNDLOWAT: v = 1; break;
        case uapi::SO_LINGER:
            __builtin_memcpy(out, &m_linger, sizeof(m_linger));
            return sizeof(m_linger);
        case uapi::SO_PEERCRED:
            __builtin_memcpy(out, &m_peer_credentials, sizeof(m_peer_credentials));
            return sizeof(m_peer_credentials);
        case uapi::SO_RCVTIMEO:
        case uapi::SO_SNDTIMEO:
        case SO_RCVTIMEO_NEW:
        case SO_SNDTIMEO_NEW: {
            bool const receive = name == uapi::SO_RCVTIMEO || name == SO_RCVTIMEO_NEW;
            u64 const us = (receive ? m_receive_timeout_ns : m_send_timeout_ns) / kNsPerUs;
            uapi::timeval tv { i64(us / kUsPerSecond), i64(us % kUsPerSecond) };
            __builtin_memcpy(out, &tv, sizeof(tv));
            return sizeof(tv);
        }
        default: return Errno(ENOPROTOOPT);
        }
    }
    __builtin_memcpy(out, &v, sizeof(v));
    return sizeof(v);
}

// ---- in-flight garbage (unix_gc) ----------------------------------------------------

// The files in this socket's queue and in those of its unaccepted
// connections (which a client may have sent files to already).
template<typename F>
void UnixSocket::for_each_queued_file(F f) {
    for (auto& message : m_receive)
        for (auto& file : message.files) f(*file);
    for (auto& connection : m_backlog)
        for (auto& message : connection->m_receive)
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
    auto as_socket_file = [](File& file) -> SocketFile* {
        return file.kind() == FileKind::Socket ? static_cast<SocketFile*>(&file) : nullptr;
    };
    Vector<SocketFile*> candidates;
    bool failed = false;
    for (auto& file : SocketFile::s_in_flight) {
        file.m_candidate = file.m_reachable = false;
        if (file.ref_count() == file.m_in_flight && candidates.try_append(&file).is_error()) failed = true;
    }
    for (SocketFile* c : candidates) {
        c->m_candidate = true;
        c->m_unreached = c->m_in_flight;
    }
    for (SocketFile* c : candidates) c->socket().for_each_queued_file([&](File& file) {
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
        c->socket().for_each_queued_file([&](File& file) {
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
            UnixSocket& socket = static_cast<SocketFile&>(*file).socket();
            socket.purge_receive_queue();
            for (auto& connection : socket.m_backlog) connection->purge_receive_queue();
        }
    }
    running = false;
    garbage.clear();
}

// ---- the file ------------------------------------------------------------------------

SocketFile::SocketFile(RefPtr<UnixSocket> socket, u32 flags) : File(flags), m_socket(socket) {
    Credentials const& credentials = current_process().credentials();
    m_uid = credentials.fsuid;
    m_gid = credentials.fsgid;
}

SocketFile::~SocketFile() {
    m_socket->release();
    UnixSocket::collect_garbage();
}

Result<RefPtr<File>> SocketFile::create(RefPtr<UnixSocket> socket, u32 flags) {
    auto* file = new (std::nothrow) SocketFile(socket, vfs::kReadWrite | (flags & vfs::kNonBlocking));
    if (!file) return Errno(ENOMEM);
    return RefPtr<File>::adopt(file);
}

// read(2) is recv() with no flags; its files (SCM_RIGHTS) are dropped.
Result<usize> SocketFile::read_vector(DataVector const& data) {
    if (data.total() == 0) return usize(0);
    ReceiveRequest request { data };
    request.non_blocking = non_blocking();
    return m_socket->receive(request);
}

Result<usize> SocketFile::write_vector(DataVector const& data) {
    SendRequest request { data };
    request.non_blocking = non_blocking();
    request.credentials = current_peer_credentials();
    return m_socket->send(request);
}

Result<usize> SocketFile::read(IoBuffer buffer, usize length) { return read_vector(DataVector(buffer, length)); }
Result<usize> SocketFile::write(IoBuffer buffer, usize length) { return write_vector(DataVector(buffer, length)); }

Result<u64> SocketFile::ioctl(u32 request, u64 argument) {
    constexpr u32 SIOCINQ = 0x541b, SIOCOUTQ = 0x5411; // FIONREAD, TIOCOUTQ
    switch (request) {
    case SIOCINQ: {
        int const amount = TRY(m_socket->bytes_readable());
        TRY(mm::copy_to_user(UserPtr<int>(argument), amount));
        return u64(0);
    }
    case SIOCOUTQ: TRY(mm::copy_to_user(UserPtr<int>(argument), m_socket->bytes_unsent())); return u64(0);
    }
    return Errno(ENOTTY);
}

InodeMetadata SocketFile::metadata() {
    InodeMetadata m;
    m.mode = vfs::kModeSocket | 0777;
    m.ino = m_socket->ino();
    m.nlink = 1;
    m.uid = m_uid;
    m.gid = m_gid;
    return m;
}

void SocketFile::describe(char* buffer, usize size) { lib::format_to(buffer, size, "socket:[%lu]", m_socket->ino()); }

} // namespace net
