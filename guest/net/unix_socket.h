// AF_UNIX sockets (unix(7)): stream, datagram and seqpacket sockets,
// connected in pairs (socketpair) or through an address -- a path in the
// file system, where bind() creates an S_IFSOCK inode, or an abstract name
// (one that starts with a NUL byte).
//
// The model is Linux's. A UnixSocket is the protocol object (Linux's
// struct sock) over the shared socket layer (net/socket.h: the message
// queue, send-buffer accounting, the stream read and write loops, options
// and the file). When the last descriptor goes, the socket is released: its
// peer sees end-of-file (stream, seqpacket), what was queued for it is
// dropped, it leaves the address table, and a listener drops the
// connections nobody accepted. The object itself lives on while a peer, a
// queued message or a call in progress still holds a reference.
//
// A message is charged to its sender's send buffer (SO_SNDBUF) until it is
// read, and a sender blocks while its charge is at that limit; as on
// Linux, the receive buffer size is not used. Stream reads join messages;
// datagram and seqpacket reads take one each. Messages carry the sender's
// credentials and SCM_RIGHTS files.
//
// Sockets in flight that only reach each other are freed by a mark and
// sweep when a socket is released, as Linux's unix_gc does.
//
// Differences from Linux: no MSG_OOB, no SO_PEEK_OFF, no autobind on
// SO_PASSCRED.
#pragma once

#include <net/socket.h>

namespace net {

// The bytes of a sockaddr_un as bind(2)/connect(2) take and getsockname(2)
// returns them: `length` bytes, counting sun_family. A path address ends
// with its NUL (Linux stores and returns it); an abstract one is the name
// as given. length 2 is an unnamed socket. Sized like sockaddr_storage:
// a 108-byte path plus its NUL is 111 bytes.
struct UnixAddress : SocketAddress {
    static UnixAddress unnamed();
    // Checks a user address for bind/connect/sendto (EINVAL as Linux's
    // unix_validate_addr) and, for a path, cuts it at its first NUL.
    static Result<UnixAddress> from_user(SocketAddress const& raw);

    bool is_unnamed() const { return length <= 2; }
    bool is_abstract() const { return length > 2 && bytes[2] == 0; }
    // A path address's path (without its NUL).
    StringView path() const;
};

class UnixSocket final : public Socket {
public:
    static constexpr u32 kMaxDatagramQueue = 10; // net.unix.max_dgram_qlen

    static Result<RefPtr<UnixSocket>> create(SocketType type);
    ~UnixSocket() override;

    // socketpair(2): connects two fresh sockets to each other.
    static void connect_pair(UnixSocket& a, UnixSocket& b);

    int family() const override { return uapi::AF_UNIX; }
    Result<void> bind(vfs::Context const& context, SocketAddress const& address, u32 umask) override;
    Result<void> listen(int backlog) override;
    // Stream and seqpacket: connects to a listener. Datagram: sets the
    // default destination; an AF_UNSPEC address dissolves it.
    Result<void> connect(vfs::Context const& context, SocketAddress const& address, bool non_blocking) override;
    Result<usize> send(SendRequest& request) override;
    Result<usize> receive(ReceiveRequest& request) override;
    Result<void> shutdown(int how) override;
    SocketAddress local_address() const override;
    Result<SocketAddress> peer_address() const override;
    u32 poll_events() override;
    void release() override;
    void abort() override;

    // Frees sockets that only queued messages keep alive, in cycles that no
    // descriptor reaches (a socket sent over itself, or two sent over each
    // other): Linux's unix_gc. Runs when a socket is released while files
    // are in flight.
    static void collect_garbage();

private:
    explicit UnixSocket(SocketType type);
    bool connection_oriented() const { return m_type != SocketType::Datagram; }
    UnixSocket* peer() const { return static_cast<UnixSocket*>(m_peer.ptr()); }
    static UnixSocket& of(Socket& socket) { return static_cast<UnixSocket&>(socket); }

    bool writable() const override { return m_state != State::Listening && u64(m_charge) * 4 <= m_options.send_buffer; }
    bool receive_queue_full() const override { return m_queue_length > m_max_backlog; }
    Delivery deliver(Message& message, SendRequest& request, bool first) override;
    SocketAddress message_source(Message& message) override;

    Result<void> bind_path(vfs::Context const& context, UnixAddress const& address, u32 umask);
    Result<void> bind_abstract(UnixAddress const& address);
    Result<void> autobind();
    static Result<RefPtr<UnixSocket>> find(vfs::Context const& context, UnixAddress const& address, SocketType type);
    static UnixSocket* find_abstract(UnixAddress const& address, SocketType type);

    Result<void> connect_stream(vfs::Context const& context, UnixAddress const& address, bool non_blocking);
    Result<void> connect_datagram(vfs::Context const& context, UnixAddress const& address);
    void set_datagram_peer(RefPtr<UnixSocket> peer);
    Result<usize> send_datagram(SendRequest& request);

    template<typename F>
    void for_each_queued_file(F f);
    void release_as(bool embryo);

    UnixAddress m_address;
    RefPtr<Inode> m_bound_inode; // a path socket's node, which connect() finds it by
    IntrusiveListNode m_bound_node;

    // Sockets with an address, which connect() and sendto() search.
    static IntrusiveList<UnixSocket, &UnixSocket::m_bound_node> s_bound;
};

} // namespace net
