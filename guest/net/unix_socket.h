// AF_UNIX sockets (unix(7)): stream, datagram and seqpacket sockets,
// connected in pairs (socketpair) or through an address -- a path in the
// file system, where bind() creates an S_IFSOCK inode, or an abstract name
// (one that starts with a NUL byte).
//
// The model is Linux's. A UnixSocket is the protocol object (Linux's
// struct sock); a SocketFile is the open file description over it. When
// the last descriptor goes, the socket is released: its peer sees
// end-of-file (stream, seqpacket), what was queued for it is dropped, it
// leaves the address table, and a listener drops the connections nobody
// accepted. The object itself lives on while a peer, a queued message or a
// call in progress still holds a reference.
//
// Data waits at the receiver as messages: one per datagram, one per chunk
// of a stream write. A message is charged to its sender's send buffer
// (SO_SNDBUF) until it is read, and a sender blocks while its charge is at
// that limit; as on Linux, the receive buffer size is not used. Stream
// reads join messages; datagram and seqpacket reads take one each.
// Messages carry the sender's credentials and SCM_RIGHTS files.
//
// Ownership: a connected socket holds a reference on its peer (both ways
// for stream and seqpacket pairs; release() drops its own, which breaks
// the cycle); a listener holds its unaccepted server ends; a message holds
// its sender and the files it carries.
//
// Concurrency: one CPU and a non-preemptive kernel, as for pipes. State
// changes run without a lock, and every block goes through
// sched::wait_until, which re-checks its condition with interrupts off.
// SMP will need a per-socket lock, taken in address order for a pair.
//
// Sockets in flight that only reach each other are freed by a mark and
// sweep when a socket is released, as Linux's unix_gc does.
//
// Differences from Linux: no MSG_OOB, no SO_PEEK_OFF, no autobind on
// SO_PASSCRED.
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

// The bytes of a sockaddr_un as bind(2)/connect(2) take and getsockname(2)
// returns them: `length` bytes, counting sun_family. A path address ends
// with its NUL (Linux stores and returns it); an abstract one is the name
// as given. length 2 is an unnamed socket. Sized like sockaddr_storage:
// a 108-byte path plus its NUL is 111 bytes.
struct UnixAddress {
    u32 length { 0 };
    u8 bytes[sizeof(uapi::sockaddr_storage)] {};

    static UnixAddress unnamed();
    // Checks a user address for bind/connect/sendto (EINVAL as Linux's
    // unix_validate_addr) and, for a path, cuts it at its first NUL.
    // `length` is what the caller passed; `raw` holds those bytes.
    static Result<UnixAddress> from_user(uapi::sockaddr_storage const& raw, usize length);

    bool is_unnamed() const { return length <= 2; }
    bool is_abstract() const { return length > 2 && bytes[2] == 0; }
    // A path address's path (without its NUL).
    StringView path() const;
    bool operator==(UnixAddress const& other) const;
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
    // The walk read and write share; defined (and only used) in unix_socket.cpp.
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

class UnixSocket;

// One send: sendto/sendmsg/write.
struct SendRequest {
    DataVector const& data;
    int flags { 0 };                           // MSG_*
    bool non_blocking { false };               // O_NONBLOCK or MSG_DONTWAIT
    UnixAddress const* destination { nullptr }; // sendto's address, if any
    vfs::Context const* context { nullptr };   // where a path destination resolves
    Vector<RefPtr<File>> files {};             // SCM_RIGHTS
    PeerCredentials credentials {};            // SCM_CREDENTIALS, or the caller's
};

// One receive: recvfrom/recvmsg/read. The socket fills the outputs.
struct ReceiveRequest {
    DataVector const& data;
    int flags { 0 };
    bool non_blocking { false };
    bool want_address { false };
    // Outputs.
    UnixAddress source {};        // length 0 when the sender had no address
    int message_flags { 0 };      // MSG_TRUNC
    Vector<RefPtr<File>> files {}; // SCM_RIGHTS received
    PeerCredentials credentials {}; // of the first message read
    bool has_credentials { false };
};

class UnixSocket : public RefCounted<UnixSocket> {
public:
    // Linux's defaults (net.core.wmem_default/rmem_default) and limits.
    static constexpr u32 kDefaultBufferSize = 212992;
    static constexpr u32 kMaxBufferSize = 212992; // wmem_max, rmem_max: setsockopt takes up to this, doubled
    static constexpr u32 kMinSendBuffer = 4608;   // SOCK_MIN_SNDBUF
    static constexpr u32 kMinReceiveBuffer = 2304;
    static constexpr u32 kMaxDatagramQueue = 10;  // net.unix.max_dgram_qlen
    static constexpr int kMaxBacklog = uapi::SOMAXCONN;

    static Result<RefPtr<UnixSocket>> create(SocketType type);
    ~UnixSocket();

    // socketpair(2): connects two fresh sockets to each other.
    static void connect_pair(UnixSocket& a, UnixSocket& b);

    SocketType type() const { return m_type; }
    u64 ino() const { return m_ino; }
    WaitQueue& queue() { return m_queue; }

    Result<void> bind(vfs::Context const& context, UnixAddress const& address, u32 umask);
    Result<void> listen(int backlog);
    Result<RefPtr<UnixSocket>> accept(bool non_blocking);
    // Stream and seqpacket: connects to a listener. Datagram: sets the
    // default destination; an AF_UNSPEC address (unnamed) dissolves it.
    Result<void> connect(vfs::Context const& context, UnixAddress const& address, bool non_blocking);
    Result<void> disconnect();
    Result<usize> send(SendRequest& request);
    Result<usize> receive(ReceiveRequest& request);
    Result<void> shutdown(int how);

    UnixAddress const& address() const { return m_address; }
    // ENOTCONN without a peer.
    Result<UnixAddress> peer_address() const;

    u32 poll_events();
    // FIONREAD/SIOCINQ and SIOCOUTQ.
    Result<int> bytes_readable();
    int bytes_unsent() const { return int(m_charge); }

    // SOL_SOCKET options: setsockopt copies in `value` (length bytes);
    // option() fills `out` (up to its 16 bytes) and returns the length.
    Result<void> set_option(int name, u8 const* value, usize length);
    Result<usize> option(int name, u8* out);

    // The last descriptor is gone (SocketFile's destructor).
    void release();

    // Frees sockets that only queued messages keep alive, in cycles that no
    // descriptor reaches (a socket sent over itself, or two sent over each
    // other): Linux's unix_gc. Runs when a socket is released while files
    // are in flight.
    static void collect_garbage();

private:
    // A queued datagram or stream chunk; its bytes follow it in the same
    // allocation.
    struct Message {
        IntrusiveListNode node;
        RefPtr<UnixSocket> sender;
        PeerCredentials credentials {};
        Vector<RefPtr<File>> files;
        u32 length { 0 };
        u32 consumed { 0 }; // stream: bytes already read
        u32 charge { 0 };   // what it counts against the sender's send buffer
        u8* data() { return reinterpret_cast<u8*>(this + 1); }
        u32 remaining() const { return length - consumed; }
        static Message* create(usize length);
        static void destroy(Message* message);
    };
    enum class State { Unconnected, Listening, Connected };
    static constexpr u8 kReceiveShutdown = 1, kSendShutdown = 2, kShutdownBoth = 3;

    explicit UnixSocket(SocketType type);
    bool connection_oriented() const { return m_type != SocketType::Datagram; }
    bool writable() const { return m_state != State::Listening && u64(m_charge) * 4 <= m_send_buffer; }
    bool receive_queue_full() const { return m_queue_length > m_max_backlog; }
    // Linux's sock_error(): the pending error, which reading clears.
    int take_error() {
        int const error = m_error;
        m_error = 0;
        return error;
    }

    Result<void> bind_path(vfs::Context const& context, UnixAddress const& address, u32 umask);
    Result<void> bind_abstract(UnixAddress const& address);
    Result<void> autobind();
    static Result<RefPtr<UnixSocket>> find(vfs::Context const& context, UnixAddress const& address, SocketType type);
    static UnixSocket* find_abstract(UnixAddress const& address, SocketType type);

    Result<void> connect_stream(vfs::Context const& context, UnixAddress const& address, bool non_blocking);
    Result<void> connect_datagram(vfs::Context const& context, UnixAddress const& address);
    void set_datagram_peer(RefPtr<UnixSocket> peer);
    Result<usize> send_stream(SendRequest& request);
    Result<usize> send_datagram(SendRequest& request);
    Result<usize> receive_stream(ReceiveRequest& request);
    Result<usize> receive_datagram(ReceiveRequest& request);
    // Blocks until the send buffer has room (Linux's sock_alloc_send_pskb).
    Result<void> wait_for_send_space(bool non_blocking);
    // Blocks on this socket's queue (and `other`, if given) until
    // condition() holds. EINTR becomes ERESTARTSYS unless a timeout is set
    // (socket(7)); a timeout gives EAGAIN.
    template<typename Condition>
    Result<void> wait(WaitQueue* other, u64 timeout_ns, Condition condition);

    // Keeps SocketFile::m_in_flight in step with the files messages carry.
    static void count_in_flight(Vector<RefPtr<File>> const& files, bool adding);
    template<typename F>
    void for_each_queued_file(F f);

    void enqueue(Message& message);
    void unlink(Message& message);
    void purge_receive_queue();
    void release_as(bool embryo);

    SocketType m_type;
    State m_state { State::Unconnected };
    u8 m_shutdown { 0 };
    bool m_released { false };
    int m_error { 0 }; // SO_ERROR: ECONNRESET after a peer closed with data unread
    u64 m_ino;

    RefPtr<UnixSocket> m_peer;
    UnixAddress m_address;
    RefPtr<Inode> m_bound_inode; // a path socket's node, which connect() finds it by
    IntrusiveListNode m_bound_node;

    IntrusiveList<Message, &Message::node> m_receive;
    usize m_queue_length { 0 };
    u32 m_charge { 0 }; // bytes (and per-message overhead) queued at receivers
    u32 m_max_backlog { kMaxDatagramQueue };
    Vector<RefPtr<UnixSocket>> m_backlog; // a listener's unaccepted connections

    PeerCredentials m_peer_credentials { 0, ~0u, ~0u };

    u32 m_send_buffer { kDefaultBufferSize };
    u32 m_receive_buffer { kDefaultBufferSize };
    u64 m_receive_timeout_ns { 0 };
    u64 m_send_timeout_ns { 0 };
    u32 m_flag_options { 0 }; // boolean SOL_SOCKET options by bit number
    int m_priority { 0 };
    uapi::linger m_linger {};
    int m_receive_low_water { 1 };

    WaitQueue m_queue;

    // Sockets with an address, which connect() and sendto() search.
    static IntrusiveList<UnixSocket, &UnixSocket::m_bound_node> s_bound;
};

// The open file description of a socket: what a descriptor refers to.
class SocketFile final : public File {
public:
    static Result<RefPtr<File>> create(RefPtr<UnixSocket> socket, u32 flags);
    ~SocketFile() override;

    FileKind kind() const override { return FileKind::Socket; }
    UnixSocket& socket() { return *m_socket; }
    RefPtr<UnixSocket> socket_ref() { return m_socket; }

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

private:
    friend class UnixSocket;
    SocketFile(RefPtr<UnixSocket> socket, u32 flags);
    RefPtr<UnixSocket> m_socket;
    u32 m_uid, m_gid;

    // In flight: how many queued messages carry this file (SCM_RIGHTS).
    // Files in flight are on s_in_flight, which the collector scans.
    u32 m_in_flight { 0 };
    IntrusiveListNode m_in_flight_node;
    static IntrusiveList<SocketFile, &SocketFile::m_in_flight_node> s_in_flight;
    // The collector's marks (UnixSocket::collect_garbage).
    u32 m_unreached { 0 };
    bool m_candidate { false };
    bool m_reachable { false };
};

} // namespace net
