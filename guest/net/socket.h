// The socket layer that every address family shares: the protocol object
// (Socket, Linux's struct sock), the open file over it (SocketFile), the
// caller's data (DataVector) and the two requests a send and a receive
// carry. AF_UNIX (net/unix_socket.h) and AF_INET/AF_INET6 (net/inet_socket.h)
// derive from Socket and decide what their own calls mean; the mechanics
// they have in common live here, once:
//
//  - a receive queue of messages: one per datagram, one per chunk of a
//    stream write, each with its bytes in the same allocation;
//  - send-buffer accounting: a stream message is charged to its sender
//    until it is read (a datagram that no sender holds is charged to no
//    one), and a sender blocks while its charge is at its capacity;
//  - the stream write loop (chunks, SIGPIPE/EPIPE, partial writes), the
//    stream read loop (joining chunks, MSG_PEEK, MSG_WAITALL, SO_RCVLOWAT)
//    and the one-message datagram read (MSG_TRUNC);
//  - blocking with SO_RCVTIMEO/SO_SNDTIMEO and signals (EINTR, restart);
//  - the SOL_SOCKET options, SO_ERROR, a listener's backlog and accept().
//
// Ownership: a connected socket holds a reference on its peer (each way;
// release() drops its own, which breaks the cycle), a listener holds its
// unaccepted connections, and a message holds its sender (if it is
// charged to one) and the files it carries.
//
// Concurrency: one CPU and a non-preemptive kernel, as for pipes. State
// changes run without a lock, and every block goes through
// sched::wait_until, which re-checks its condition with interrupts off.
// SMP will need a per-socket lock, taken in address order for a pair.
#pragma once

#include <fs/vfs/file.h>
#include <fs/vfs/vfs.h>
#include <kernel/sched/wait_queue.h>
#include <lib/intrusive_list.h>
#include <lib/vector.h>
#include <uapi/socket.h>

namespace net {

enum class SocketType : int {
    Stream = uapi::SOCK_STREAM,
    Datagram = uapi::SOCK_DGRAM,
    SeqPacket = uapi::SOCK_SEQPACKET,
};

// A socket address as bind(2)/connect(2) take it and getsockname(2)
// returns it: `length` bytes of a sockaddr of some family. What the bytes
// mean is the family's business.
struct SocketAddress {
    u32 length { 0 };
    u8 bytes[sizeof(uapi::sockaddr_storage)] {};

    u16 family() const { return length >= 2 ? u16(bytes[0] | bytes[1] << 8) : u16(uapi::AF_UNSPEC); }
    bool operator==(SocketAddress const& other) const;
};

// The caller's data for one send or receive: read/write's one buffer, or
// the iovec array of readv/writev/sendmsg/recvmsg.
class DataVector {
public:
    DataVector(IoBuffer buffer, usize length);
    // Copies in and checks the user's iovec array (EINVAL for a negative
    // length; the total is capped as Linux's MAX_RW_COUNT).
    static Result<DataVector> from_user(u64 iovecs, usize count);
    DataVector(DataVector&& other);
    DataVector(DataVector const&) = delete;
    ~DataVector();

    usize total() const { return m_total; }
    // Between kernel memory and the linear byte `offset` of the vector.
    Result<void> read(usize offset, void* destination, usize length) const;
    Result<void> write(usize offset, void const* source, usize length) const;

private:
    struct Segment {
        IoBuffer buffer;
        usize length;
    };
    DataVector() = default;
    // The walk read and write share; defined (and only used) in socket.cpp.
    template<typename Copy>
    Result<void> for_each_piece(usize offset, usize length, Copy copy) const;

    Segment m_inline { IoBuffer::kernel(static_cast<void*>(nullptr)), 0 };
    Segment* m_segments { &m_inline };
    usize m_count { 1 };
    usize m_total { 0 };
};

// The credentials a message or a connection carries (SCM_CREDENTIALS,
// SO_PEERCRED): Linux's struct ucred.
using PeerCredentials = uapi::ucred;
// The calling process's: pid, euid, egid for SO_PEERCRED...
PeerCredentials current_peer_credentials();

// One send: sendto/sendmsg/write.
struct SendRequest {
    DataVector const& data;
    int flags { 0 };                              // MSG_*
    bool non_blocking { false };                  // O_NONBLOCK or MSG_DONTWAIT
    SocketAddress const* destination { nullptr }; // sendto's address as the caller gave it, if any
    vfs::Context const* context { nullptr };      // where an AF_UNIX path destination resolves
    Vector<RefPtr<File>> files {};                // SCM_RIGHTS
    PeerCredentials credentials {};               // SCM_CREDENTIALS, or the caller's
};

// One receive: recvfrom/recvmsg/read. The socket fills the outputs.
struct ReceiveRequest {
    DataVector const& data;
    int flags { 0 };
    bool non_blocking { false };
    bool want_address { false };
    // Outputs.
    SocketAddress source {};        // length 0 when there is none to report
    int message_flags { 0 };        // MSG_TRUNC
    Vector<RefPtr<File>> files {};  // SCM_RIGHTS received
    PeerCredentials credentials {}; // of the first message read
    bool has_credentials { false };
};

class Socket : public RefCounted<Socket> {
public:
    // Linux's defaults (net.core.wmem_default/rmem_default) and limits.
    static constexpr u32 kDefaultBufferSize = 212992;
    static constexpr u32 kMaxBufferSize = 212992; // wmem_max, rmem_max: setsockopt takes up to this, doubled
    static constexpr u32 kMinSendBuffer = 4608;   // SOCK_MIN_SNDBUF
    static constexpr u32 kMinReceiveBuffer = 2304;
    static constexpr int kMaxBacklog = uapi::SOMAXCONN;
    // The largest option value getsockopt returns (TCP_INFO).
    static constexpr usize kMaxOptionSize = 288;

    virtual ~Socket();

    SocketType type() const { return m_type; }
    u64 ino() const { return m_ino; }
    WaitQueue& queue() { return m_queue; }
    virtual int family() const = 0;
    virtual int protocol() const { return 0; }

    // The calls, each as its family defines it. Addresses come as the
    // caller gave them (`address.length` is its length argument); the
    // family checks them.
    virtual Result<void> bind(vfs::Context const& context, SocketAddress const& address, u32 umask) = 0;
    virtual Result<void> listen(int backlog) = 0;
    virtual Result<RefPtr<Socket>> accept(bool non_blocking);
    virtual Result<void> connect(vfs::Context const& context, SocketAddress const& address, bool non_blocking) = 0;
    virtual Result<usize> send(SendRequest& request) = 0;
    virtual Result<usize> receive(ReceiveRequest& request) = 0;
    virtual Result<void> shutdown(int how) = 0;
    // getsockname(2), and getpeername(2) (ENOTCONN without a peer).
    virtual SocketAddress local_address() const = 0;
    virtual Result<SocketAddress> peer_address() const = 0;

    virtual u32 poll_events() = 0;
    // FIONREAD/SIOCINQ and SIOCOUTQ.
    virtual Result<int> bytes_readable();
    virtual int bytes_unsent() const { return int(m_charge); }

    // setsockopt copies in `value` (length bytes, at most kMaxOptionSize
    // of them given; null if they could not be read, which is EFAULT where
    // the option needs them); option() fills `out` (kMaxOptionSize bytes)
    // and returns the length. SOL_SOCKET is shared; other levels are the
    // family's (protocol_option, set_protocol_option).
    Result<void> set_option(int level, int name, u8 const* value, usize length);
    Result<usize> option(int level, int name, u8* out);

    // The last descriptor is gone (SocketFile's destructor).
    virtual void release() = 0;
    // Released with a reset, as a connection its listener never accepted
    // is when the listener goes: the peer sees ECONNRESET.
    virtual void abort() = 0;

protected:
    // A queued datagram or stream chunk; its bytes follow it in the same
    // allocation.
    struct Message {
        IntrusiveListNode node;
        RefPtr<Socket> sender; // charged for it; null when no one is
        PeerCredentials credentials {};
        Vector<RefPtr<File>> files;
        u32 length { 0 };
        u32 consumed { 0 }; // stream: bytes already read
        u32 charge { 0 };   // what it counts against a buffer
        // Where a datagram came from, for families that report the address
        // it was sent from rather than the sender's current name (inet: an
        // InetEndpoint, written and read by net/udp_socket.cpp).
        u8 origin[28] {};
        u8* data() { return reinterpret_cast<u8*>(this + 1); }
        u32 remaining() const { return length - consumed; }
        static Message* create(usize length);
        static void destroy(Message* message);
    };
    enum class State { Unconnected, Listening, Connecting, Connected };
    static constexpr u8 kReceiveShutdown = 1, kSendShutdown = 2, kShutdownBoth = 3;

    explicit Socket(SocketType type);

    // Linux's sock_error(): the pending error, which reading clears.
    int take_error() {
        int const error = m_error;
        m_error = 0;
        return error;
    }
    // Blocks on this socket's queue (and `other`, if given) until
    // condition() holds. EINTR becomes ERESTARTSYS unless a timeout is set
    // (socket(7)); a timeout gives EAGAIN.
    template<typename Condition>
    Result<void> wait(WaitQueue* other, u64 timeout_ns, Condition condition);

    // The send buffer: a sender may have this much charged at receivers,
    // and poll calls it writable below a share of that.
    virtual u32 send_capacity() const { return m_options.send_buffer; }
    virtual bool writable() const = 0;
    // Blocks until the send buffer has room (Linux's sock_alloc_send_pskb):
    // a pending error, then EPIPE after shutdown(SHUT_WR), then EAGAIN.
    Result<void> wait_for_send_space(bool non_blocking);

    // Queues `message` here (charged to its sender, if it has one) and
    // wakes readers; unlink() takes it off and gives the space back.
    void enqueue(Message& message);
    void unlink(Message& message);
    void purge_receive_queue();
    // Whether senders must wait for this socket's queue to shrink (AF_UNIX
    // datagrams: net.unix.max_dgram_qlen).
    virtual bool receive_queue_full() const { return false; }

    // The stream write loop (unix_stream_sendmsg, tcp_sendmsg): waits for
    // room chunk by chunk and hands each to deliver(), which queues it at
    // the peer. A write that sends nothing because the pipe is broken
    // raises SIGPIPE (unless MSG_NOSIGNAL) and fails with EPIPE.
    enum class Delivery {
        Queued,      // the chunk is the peer's now
        BrokenPipe,  // nobody will read it: EPIPE (dropped here)
        Swallowed,   // gone, but the write counts as done (TCP's orphaned peer)
    };
    virtual Delivery deliver(Message& message, SendRequest& request, bool first) = 0;
    Result<usize> send_stream_data(SendRequest& request);
    static Result<usize> broken_pipe(int flags);
    // Queues a message this socket sent at `receiver`: charged to us, with
    // the request's credentials, and (the first chunk only) its files.
    void queue_at(Socket& receiver, Message& message, SendRequest& request, bool first);

    // The stream read loop (unix_stream_read_generic, tcp_recvmsg): joins
    // messages until the buffer is full, the queue is empty (after at least
    // SO_RCVLOWAT bytes, or all with MSG_WAITALL), or a message brings files.
    // With SO_PASSCRED, messages from different writers are not joined.
    Result<usize> receive_stream_data(ReceiveRequest& request);
    // One datagram, the rest of a long one dropped (MSG_TRUNC says so, and
    // as a flag returns its real length). A pending error comes first. An
    // empty queue after shutdown(SHUT_RD) reads end-of-file -- when
    // non-blocking too if `eof_without_waiting` -- and `keep_waiting` says
    // whether an empty queue is worth waiting on (ENOTCONN otherwise:
    // seqpacket, once disconnected).
    template<typename KeepWaiting>
    Result<usize> receive_one_datagram(ReceiveRequest& request, bool eof_without_waiting, KeepWaiting keep_waiting);
    // What recvfrom reports as a message's source.
    virtual SocketAddress message_source(Message& message) = 0;

    // listen(2)'s bookkeeping, and dropping (aborting) what a listener
    // never accepted.
    void start_listening(int backlog);
    void drop_backlog();
    // When a listener's backlog has room again (accept, a larger backlog).
    virtual void backlog_has_room() { }

    // The levels other than SOL_SOCKET, and the SOL_SOCKET options only
    // some families have (SO_PEERCRED ...): ENOPROTOOPT unless overridden.
    virtual Result<void> set_protocol_option(int level, int name, u8 const* value, usize length);
    virtual Result<usize> protocol_option(int level, int name, u8* out);
    bool flag_option(int name) const { return (m_options.flags >> name) & 1; }

    SocketType m_type;
    State m_state { State::Unconnected };
    u8 m_shutdown { 0 };
    bool m_released { false };
    // TCP's SOCK_DONE: the peer's FIN arrived, so reads report end-of-file
    // before any error that comes later.
    bool m_end_of_stream { false };
    int m_error { 0 }; // SO_ERROR
    u64 m_ino;

    RefPtr<Socket> m_peer;

    IntrusiveList<Message, &Message::node> m_receive;
    usize m_queue_length { 0 };
    usize m_queued_bytes { 0 }; // the charges of what waits here
    u32 m_charge { 0 };         // bytes (and per-message overhead) this socket has queued at receivers
    u32 m_max_backlog { 0 };
    Vector<RefPtr<Socket>> m_backlog; // a listener's unaccepted connections

    PeerCredentials m_peer_credentials { 0, ~0u, ~0u };

    // The SOL_SOCKET options, which a listener passes on to its connections.
    struct Options {
        u32 send_buffer { kDefaultBufferSize };
        u32 receive_buffer { kDefaultBufferSize };
        // Set with SO_SNDBUF/SO_RCVBUF (Linux's SOCK_SNDBUF_LOCK and
        // SOCK_RCVBUF_LOCK): TCP grows neither by itself then.
        bool send_buffer_locked { false };
        bool receive_buffer_locked { false };
        u64 receive_timeout_ns { 0 };
        u64 send_timeout_ns { 0 };
        u32 flags { 0 }; // boolean options by bit number
        int priority { 0 };
        uapi::linger linger {};
        int receive_low_water { 1 };
    } m_options;

    WaitQueue m_queue;

private:
    Result<void> set_socket_option(int name, u8 const* value, usize length);
    Result<usize> socket_option(int name, u8* out);
};

// The open file description of a socket: what a descriptor refers to.
class SocketFile final : public File {
public:
    static Result<RefPtr<File>> create(RefPtr<Socket> socket, u32 flags);
    ~SocketFile() override;

    FileKind kind() const override { return FileKind::Socket; }
    Socket& socket() { return *m_socket; }

    Result<usize> read(IoBuffer buffer, usize length) override;
    Result<usize> write(IoBuffer buffer, usize length) override;
    // readv/writev: one message, as sendmsg/recvmsg.
    Result<usize> read_vector(DataVector const& data);
    Result<usize> write_vector(DataVector const& data);
    Result<u64> ioctl(u32 request, u64 argument) override;
    u32 poll_events() override { return m_socket->poll_events(); }
    WaitQueue* wait_queue() override { return &m_socket->queue(); }
    InodeMetadata metadata() override;
    void describe(char* buffer, usize size) override;

    // Files in flight: carried by queued messages (SCM_RIGHTS). Keeps
    // m_in_flight and s_in_flight in step, for AF_UNIX's collector
    // (UnixSocket::collect_garbage), which reads the rest.
    static void count_in_flight(Vector<RefPtr<File>> const& files, bool adding);

private:
    friend class UnixSocket;
    SocketFile(RefPtr<Socket> socket, u32 flags);
    RefPtr<Socket> m_socket;
    u32 m_uid, m_gid;

    // In flight: how many queued messages carry this file.
    u32 m_in_flight { 0 };
    IntrusiveListNode m_in_flight_node;
    static IntrusiveList<SocketFile, &SocketFile::m_in_flight_node> s_in_flight;
    // The collector's marks.
    u32 m_unreached { 0 };
    bool m_candidate { false };
    bool m_reachable { false };
};

// ---- templates ---------------------------------------------------------------------

template<typename Condition>
Result<void> Socket::wait(WaitQueue* other, u64 timeout_ns, Condition condition) {
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

template<typename KeepWaiting>
Result<usize> Socket::receive_one_datagram(ReceiveRequest& request, bool eof_without_waiting,
                                           KeepWaiting keep_waiting) {
    Message* message;
    for (;;) {
        if (int error = take_error()) return Errno(error);
        message = m_receive.first();
        if (message) break;
        if (request.non_blocking) {
            if (eof_without_waiting && (m_shutdown & kReceiveShutdown)) return usize(0);
            return Errno(EAGAIN);
        }
        if (m_shutdown & kReceiveShutdown) return usize(0);
        if (!keep_waiting()) return Errno(ENOTCONN);
        TRY(wait(nullptr, m_options.receive_timeout_ns, [&] {
            return !m_receive.is_empty() || m_error || (m_shutdown & kReceiveShutdown) || !keep_waiting();
        }));
    }
    bool const peek = request.flags & uapi::MSG_PEEK;
    if (!peek) unlink(*message);
    if (request.want_address) request.source = message_source(*message);
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
        SocketFile::count_in_flight(message->files, false);
        request.files = static_cast<Vector<RefPtr<File>>&&>(message->files);
        Message::destroy(message); // taken even if the copy failed, as on Linux
    }
    if (copied.is_error()) return Errno(EFAULT);
    return (request.flags & uapi::MSG_TRUNC) ? length : n;
}

} // namespace net
