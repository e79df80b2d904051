// The shared socket layer. The Linux function each part follows is named
// where it starts (net/core/sock.c, net/core/datagram.c, net/socket.c, and
// the stream loops of net/unix/af_unix.c and net/ipv4/tcp.c).
#include <kernel/mm/heap.h>
#include <kernel/proc/process.h>
#include <kernel/proc/signal.h>
#include <kernel/sched/scheduler.h>
#include <lib/format.h>
#include <net/socket.h>
#include <uapi/time.h>
#include <uapi/uio.h>

#include <new>

namespace net {

IntrusiveList<SocketFile, &SocketFile::m_in_flight_node> SocketFile::s_in_flight;

namespace {

u64 g_next_ino = 1;

// What a message costs beyond its bytes, as an sk_buff's truesize does on
// Linux: empty datagrams and one-byte writes still fill the buffer.
constexpr u32 kMessageOverhead = 256;
// A stream write is queued in chunks of at most this (Linux: 32 KiB of
// pages plus the head), so that a reader can start on the first.
constexpr usize kMaxStreamChunk = 32 * 1024;
// Linux's MAX_RW_COUNT: the most one call moves.
constexpr usize kMaxTransfer = 0x7ffff000;

Process& current_process() { return *sched::current()->process; }

bool same_credentials(PeerCredentials const& a, PeerCredentials const& b) {
    return a.pid == b.pid && a.uid == b.uid && a.gid == b.gid;
}

} // namespace

PeerCredentials current_peer_credentials() {
    Process& p = current_process();
    return { p.pid(), p.credentials().euid, p.credentials().egid };
}

bool SocketAddress::operator==(SocketAddress const& other) const {
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

Socket::Message* Socket::Message::create(usize length) {
    void* memory = kmalloc(sizeof(Message) + length);
    if (!memory) return nullptr;
    auto* message = new (memory) Message;
    message->length = u32(length);
    message->charge = u32(length) + kMessageOverhead;
    return message;
}

void Socket::Message::destroy(Message* message) {
    SocketFile::count_in_flight(message->files, false);
    message->~Message();
    kfree(message);
}

void SocketFile::count_in_flight(Vector<RefPtr<File>> const& files, bool adding) {
    for (auto const& file : files) {
        if (file->kind() != FileKind::Socket) continue;
        auto& socket_file = static_cast<SocketFile&>(*file);
        if (adding) {
            if (socket_file.m_in_flight++ == 0) s_in_flight.append(socket_file);
        } else if (--socket_file.m_in_flight == 0) {
            s_in_flight.remove(socket_file);
        }
    }
}

void Socket::enqueue(Message& message) {
    m_receive.append(message);
    m_queue_length++;
    m_queued_bytes += message.charge;
    if (message.sender) message.sender->m_charge += message.charge;
    m_queue.wake_all();
}

// Takes `message` off the queue: its sender gets the space back. Only
// those who can now go on are woken -- a sender that was not writable, and
// datagram senders waiting for room in a full queue -- since a reader
// blocked on the same queue would wake for nothing (Linux filters by poll
// key instead).
void Socket::unlink(Message& message) {
    bool const was_full = receive_queue_full();
    m_receive.remove(message);
    m_queue_length--;
    m_queued_bytes -= message.charge;
    if (Socket* sender = message.sender.ptr()) {
        bool const sender_was_writable = sender->writable();
        sender->m_charge -= message.charge;
        if (!sender_was_writable) sender->m_queue.wake_all();
    }
    if (was_full) m_queue.wake_all();
}

void Socket::purge_receive_queue() {
    while (Message* message = m_receive.first()) {
        unlink(*message);
        Message::destroy(message); // may close in-flight files, even sockets
    }
}

// ---- life cycle ------------------------------------------------------------------

Socket::Socket(SocketType type) : m_type(type), m_ino(g_next_ino++) { }

Socket::~Socket() = default;

void Socket::start_listening(int backlog) {
    bool const more_room = u32(backlog) > m_max_backlog;
    m_max_backlog = u32(backlog);
    m_state = State::Listening;
    if (more_room) backlog_has_room();
    m_queue.wake_all(); // connectors waiting for room
}

Result<RefPtr<Socket>> Socket::accept(bool non_blocking) {
    if (m_type == SocketType::Datagram) return Errno(EOPNOTSUPP);
    if (m_state != State::Listening) return Errno(EINVAL);
    for (;;) {
        if (!m_backlog.is_empty()) {
            RefPtr<Socket> connection = m_backlog[0];
            m_backlog.remove(0);
            backlog_has_room();
            m_queue.wake_all(); // a connector may wait for room in the backlog
            return connection;
        }
        if (non_blocking) return Errno(EAGAIN);
        if (m_shutdown & kReceiveShutdown) return Errno(EINVAL);
        TRY(wait(nullptr, m_options.receive_timeout_ns, [&] {
            return !m_backlog.is_empty() || (m_shutdown & kReceiveShutdown) || m_state != State::Listening;
        }));
        if (m_state != State::Listening) return Errno(EINVAL);
    }
}

void Socket::drop_backlog() {
    while (!m_backlog.is_empty()) {
        RefPtr<Socket> connection = m_backlog.take_last();
        connection->abort();
    }
}

// ---- sending -----------------------------------------------------------------------

Result<void> Socket::wait_for_send_space(bool non_blocking) {
    for (;;) {
        if (int error = take_error()) return Errno(error);
        if (m_shutdown & kSendShutdown) return Errno(EPIPE);
        if (m_charge < send_capacity()) return {};
        if (non_blocking) return Errno(EAGAIN);
        TRY(wait(nullptr, m_options.send_timeout_ns,
                 [&] { return m_charge < send_capacity() || m_error || (m_shutdown & kSendShutdown); }));
    }
}

// A stream write that cannot go anywhere raises SIGPIPE from the socket
// layer, as on Linux (unless MSG_NOSIGNAL).
Result<usize> Socket::broken_pipe(int flags) {
    if (!(flags & uapi::MSG_NOSIGNAL)) {
        Process& p = current_process();
        signals::Info info;
        info.signo = signals::SIGPIPE;
        info.code = signals::SI_USER;
        info.pid = p.pid();
        info.uid = p.credentials().uid;
        signals::send_to_thread(*sched::current(), info);
    }
    return Errno(EPIPE);
}

void Socket::queue_at(Socket& receiver, Message& message, SendRequest& request, bool first) {
    message.sender = RefPtr<Socket>(*this);
    message.credentials = request.credentials;
    if (first) {
        message.files = static_cast<Vector<RefPtr<File>>&&>(request.files);
        SocketFile::count_in_flight(message.files, true);
    }
    receiver.enqueue(message);
}

Result<usize> Socket::send_stream_data(SendRequest& request) {
    usize const total = request.data.total();
    usize sent = 0;
    while (sent < total) {
        usize const size = lib::min(total - sent, lib::min(usize(send_capacity() / 2 - 64), kMaxStreamChunk));
        auto space = wait_for_send_space(request.non_blocking);
        if (space.is_error()) {
            if (sent) return sent;
            if (space.error().code() == EPIPE) return broken_pipe(request.flags);
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
        switch (deliver(*message, request, sent == 0)) {
        case Delivery::Queued: break;
        case Delivery::BrokenPipe:
            Message::destroy(message);
            if (sent) return sent;
            return broken_pipe(request.flags);
        case Delivery::Swallowed: Message::destroy(message); return total;
        }
        sent += size;
    }
    return sent;
}

// ---- receiving ---------------------------------------------------------------------

Result<usize> Socket::receive_stream_data(ReceiveRequest& request) {
    bool const peek = request.flags & uapi::MSG_PEEK;
    bool const pass_credentials = flag_option(uapi::SO_PASSCRED);
    usize size = request.data.total();
    usize target = (request.flags & uapi::MSG_WAITALL) ? size : lib::min(usize(m_options.receive_low_water), size);
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
            if (m_end_of_stream) break;
            if ((error = take_error())) break;
            if (m_shutdown & kReceiveShutdown) break;
            if (request.non_blocking) {
                error = EAGAIN;
                break;
            }
            auto waited = wait(nullptr, m_options.receive_timeout_ns,
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
        if (request.want_address) request.source = message_source(*message);
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
                SocketFile::count_in_flight(message->files, false);
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

Result<int> Socket::bytes_readable() {
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
    u32 size = force ? u32(value) : lib::min(u32(value), Socket::kMaxBufferSize);
    if (force && value < 0) size = 0;
    return lib::min(size, u32(0x7fffffff / 2)) * 2;
}

} // namespace

Result<void> Socket::set_option(int level, int name, u8 const* value, usize length) {
    if (level == uapi::SOL_SOCKET) return set_socket_option(name, value, length);
    return set_protocol_option(level, name, value, length);
}

Result<usize> Socket::option(int level, int name, u8* out) {
    if (level == uapi::SOL_SOCKET) return socket_option(name, out);
    return protocol_option(level, name, out);
}

// AF_UNIX has no options below SOL_SOCKET: the socket layer's answer.
Result<void> Socket::set_protocol_option(int, int, u8 const*, usize) { return Errno(EOPNOTSUPP); }
Result<usize> Socket::protocol_option(int, int, u8*) { return Errno(EOPNOTSUPP); }

Result<void> Socket::set_socket_option(int name, u8 const* value, usize length) {
    if (length < sizeof(int)) return Errno(EINVAL);
    if (!value) return Errno(EFAULT);
    // SO_PASSCRED is for the families that pass credentials (Linux 6.18).
    if (name == uapi::SO_PASSCRED && family() != uapi::AF_UNIX) return Errno(EOPNOTSUPP);
    int v;
    __builtin_memcpy(&v, value, sizeof(v));
    if (is_flag_option(name)) {
        if (name == uapi::SO_DEBUG && v && !privileged()) return Errno(EACCES);
        if (v) m_options.flags |= 1u << name;
        else m_options.flags &= ~(1u << name);
        return {};
    }
    switch (name) {
    case uapi::SO_SNDBUF:
    case uapi::SO_SNDBUFFORCE: {
        bool const force = name == uapi::SO_SNDBUFFORCE;
        if (force && !privileged()) return Errno(EPERM);
        m_options.send_buffer = lib::max(doubled_buffer_size(v, force), kMinSendBuffer);
        m_options.send_buffer_locked = true;
        m_queue.wake_all();
        return {};
    }
    case uapi::SO_RCVBUF:
    case uapi::SO_RCVBUFFORCE: {
        bool const force = name == uapi::SO_RCVBUFFORCE;
        if (force && !privileged()) return Errno(EPERM);
        m_options.receive_buffer = lib::max(doubled_buffer_size(v, force), kMinReceiveBuffer);
        m_options.receive_buffer_locked = true;
        return {};
    }
    case uapi::SO_PRIORITY:
        if ((v < 0 || v > 6) && !privileged()) return Errno(EPERM);
        m_options.priority = v;
        return {};
    case uapi::SO_LINGER: {
        if (length < sizeof(uapi::linger)) return Errno(EINVAL);
        __builtin_memcpy(&m_options.linger, value, sizeof(m_options.linger));
        if (!m_options.linger.l_onoff) m_options.linger = {};
        return {};
    }
    case uapi::SO_RCVLOWAT: m_options.receive_low_water = v < 0 ? 0x7fffffff : (v ? v : 1); return {};
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
        (receive ? m_options.receive_timeout_ns : m_options.send_timeout_ns) = ns;
        return {};
    }
    }
    // SO_TYPE, SO_ERROR, SO_PEERCRED, ... cannot be set; the rest are not known.
    return Errno(ENOPROTOOPT);
}

Result<usize> Socket::socket_option(int name, u8* out) {
    if (name == uapi::SO_PASSCRED && family() != uapi::AF_UNIX) return Errno(EOPNOTSUPP);
    int v = 0;
    if (is_flag_option(name)) {
        v = flag_option(name);
    } else {
        switch (name) {
        case uapi::SO_TYPE: v = int(m_type); break;
        case uapi::SO_PROTOCOL: v = protocol(); break;
        case uapi::SO_DOMAIN: v = family(); break;
        case uapi::SO_ERROR: v = take_error(); break;
        case uapi::SO_ACCEPTCONN: v = m_state == State::Listening; break;
        case uapi::SO_SNDBUF: v = int(m_options.send_buffer); break;
        case uapi::SO_RCVBUF: v = int(m_options.receive_buffer); break;
        case uapi::SO_PRIORITY: v = m_options.priority; break;
        case uapi::SO_RCVLOWAT: v = m_options.receive_low_water; break;
        case uapi::SO_SNDLOWAT: v = 1; break;
        case uapi::SO_LINGER:
            __builtin_memcpy(out, &m_options.linger, sizeof(m_options.linger));
            return sizeof(m_options.linger);
        case uapi::SO_PEERCRED:
            __builtin_memcpy(out, &m_peer_credentials, sizeof(m_peer_credentials));
            return sizeof(m_peer_credentials);
        case uapi::SO_RCVTIMEO:
        case uapi::SO_SNDTIMEO:
        case SO_RCVTIMEO_NEW:
        case SO_SNDTIMEO_NEW: {
            bool const receive = name == uapi::SO_RCVTIMEO || name == SO_RCVTIMEO_NEW;
            u64 const us = (receive ? m_options.receive_timeout_ns : m_options.send_timeout_ns) / kNsPerUs;
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

// ---- the file ------------------------------------------------------------------------

SocketFile::SocketFile(RefPtr<Socket> socket, u32 flags) : File(flags), m_socket(socket) {
    Credentials const& credentials = current_process().credentials();
    m_uid = credentials.fsuid;
    m_gid = credentials.fsgid;
}

SocketFile::~SocketFile() { m_socket->release(); }

Result<RefPtr<File>> SocketFile::create(RefPtr<Socket> socket, u32 flags) {
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
