// Sockets: socket, socketpair, bind, listen, accept(4), connect, sendto,
// recvfrom, sendmsg, recvmsg, shutdown, getsockname, getpeername,
// setsockopt, getsockopt. The families are AF_UNIX (net/unix_socket.h) and
// AF_INET/AF_INET6 on the loopback (net/inet_socket.h). The handlers check
// their arguments in the order of Linux's net/socket.c -- for most, EBADF
// and ENOTSOCK come before the address -- and move addresses and control
// messages between user memory and the socket, which checks an address
// as its family does.
#include <kernel/syscalls/helpers.h>
#include <net/inet_socket.h>
#include <net/unix_socket.h>
#include <uapi/uio.h>

namespace {

using net::Socket;
using net::SocketAddress;
using net::SocketFile;
using net::UnixSocket;
using Storage = uapi::sockaddr_storage;
using MessageHeader = uapi::msghdr;
using ControlHeader = uapi::cmsghdr;

constexpr int kFamilyLimit = 46;   // NPROTO: families at or above are EAFNOSUPPORT
constexpr int kTypeLimit = 11;     // SOCK_MAX: types at or above are EINVAL
constexpr int kMaxPassedFiles = 253; // SCM_MAX_FD
constexpr u64 kMaxControl = 64 * 1024; // larger control data: ENOBUFS (Linux's optmem_max)
constexpr usize kMaxTransfer = 0x7ffff000; // MAX_RW_COUNT
constexpr usize kOptionSize = Socket::kMaxOptionSize; // the largest option value (TCP_INFO)

// The socket behind `fd`: EBADF, then ENOTSOCK. The RefPtr keeps it
// alive for the call.
Result<RefPtr<File>> socket_for(int fd) {
    auto file = TRY(file_for(fd));
    if (file->kind() != FileKind::Socket) return Errno(ENOTSOCK);
    return file;
}

SocketFile& as_socket(RefPtr<File> const& file) { return static_cast<SocketFile&>(*file); }

// move_addr_to_kernel: the bytes and the length as the caller gave them.
Result<SocketAddress> copy_address_in(UserPtr<u8> user, int length) {
    if (length < 0 || usize(length) > sizeof(Storage)) return Errno(EINVAL);
    SocketAddress address;
    if (length) TRY(mm::copy_from_user(address.bytes, user.address, usize(length)));
    address.length = u32(length);
    return address;
}

// move_addr_to_user: *length says how much room there is; it gets the
// full size back, and the copy is cut to fit.
Result<void> copy_address_out(SocketAddress const& address, UserPtr<u8> user, UserPtr<int> user_length) {
    int length = TRY(mm::copy_from_user(user_length));
    int const full = int(address.length);
    if (length > full) length = full;
    if (length >= 0) TRY(mm::copy_to_user(user_length, full));
    if (length < 0) return Errno(EINVAL);
    if (length) TRY(mm::copy_to_user(user.address, address.bytes, usize(length)));
    return {};
}

// socket(2)'s checks, in __sys_socket and __sock_create's order; each
// family's create function checks the type and protocol its own way.
Result<RefPtr<Socket>> create_socket(int family, int type, int protocol, u32& flags) {
    flags = u32(type & ~uapi::SOCK_TYPE_MASK);
    if (flags & ~u32(uapi::SOCK_NONBLOCK | uapi::SOCK_CLOEXEC)) return Errno(EINVAL);
    type &= uapi::SOCK_TYPE_MASK;
    if (family < 0 || family >= kFamilyLimit) return Errno(EAFNOSUPPORT);
    if (type >= kTypeLimit) return Errno(EINVAL);
    if (family == uapi::AF_INET || family == uapi::AF_INET6) return net::InetSocket::create(family, type, protocol);
    if (family != uapi::AF_UNIX) return Errno(EAFNOSUPPORT);
    // unix_create.
    if (protocol && protocol != uapi::AF_UNIX) return Errno(EPROTONOSUPPORT);
    switch (type) {
    case uapi::SOCK_STREAM: return RefPtr<Socket>(TRY(UnixSocket::create(net::SocketType::Stream)));
    case uapi::SOCK_RAW: // BSD has AF_UNIX SOCK_RAW; Linux makes it a datagram socket
    case uapi::SOCK_DGRAM: return RefPtr<Socket>(TRY(UnixSocket::create(net::SocketType::Datagram)));
    case uapi::SOCK_SEQPACKET: return RefPtr<Socket>(TRY(UnixSocket::create(net::SocketType::SeqPacket)));
    }
    return Errno(ESOCKTNOSUPPORT);
}

Result<int> install(RefPtr<Socket> socket, u32 flags) {
    auto file = TRY(SocketFile::create(socket, flags));
    return current_process().fds().allocate(file, flags & vfs::kCloseOnExec);
}

// Where a path address resolves: the working directory (or the root).
Result<PathStart> address_start() { return PathStart::create(AT_FDCWD, StringView()); }

// __scm_send: SCM_RIGHTS files and SCM_CREDENTIALS; other levels are
// skipped. TCP ignores control data; UDP knows no SOL_SOCKET message of
// these (ip_cmsg_send, __sock_cmsg_send: EINVAL) and has no use for the IP
// ones (IP_TOS, IP_TTL ...), which it checks and skips.
Result<void> read_control(MessageHeader const& header, net::SendRequest& request, Socket const& socket) {
    if (header.msg_controllen > kMaxControl) return Errno(ENOBUFS);
    bool const unix_socket = socket.family() == uapi::AF_UNIX;
    if (!unix_socket && socket.type() == net::SocketType::Stream) return {};
    usize const size = usize(header.msg_controllen);
    if (size < sizeof(ControlHeader)) return {};
    HeapBuffer<u8> control(size);
    if (!control) return Errno(ENOMEM);
    u8* const buffer = control.data();
    TRY(mm::copy_from_user(buffer, header.msg_control, size));
    Process& process = current_process();
    Credentials const& own = process.credentials();
    bool const privileged = own.euid == 0;
    for (usize offset = 0; offset + sizeof(ControlHeader) <= size;) {
        ControlHeader control;
        __builtin_memcpy(&control, buffer + offset, sizeof(control));
        if (control.cmsg_len < sizeof(ControlHeader) || control.cmsg_len > size - offset) return Errno(EINVAL);
        u8 const* data = buffer + offset + uapi::CMSG_LEN(0);
        usize const data_length = usize(control.cmsg_len) - uapi::CMSG_LEN(0);
        if (!unix_socket && control.cmsg_level == uapi::SOL_SOCKET) return Errno(EINVAL);
        if (control.cmsg_level == uapi::SOL_SOCKET) {
            switch (control.cmsg_type) {
            case uapi::SCM_RIGHTS: {
                usize const count = data_length / sizeof(int);
                if (request.files.size() + count > kMaxPassedFiles) return Errno(EINVAL);
                for (usize i = 0; i < count; i++) {
                    int fd;
                    __builtin_memcpy(&fd, data + i * sizeof(int), sizeof(fd));
                    TRY(request.files.try_append(TRY(file_for(fd))));
                }
                break;
            }
            case uapi::SCM_CREDENTIALS: {
                // scm_check_creds: only one's own pid and ids, unless privileged.
                if (control.cmsg_len != uapi::CMSG_LEN(sizeof(uapi::ucred))) return Errno(EINVAL);
                uapi::ucred c;
                __builtin_memcpy(&c, data, sizeof(c));
                bool const pid_ok = c.pid == process.pid() || privileged;
                bool const uid_ok = c.uid == own.uid || c.uid == own.euid || c.uid == own.suid || privileged;
                bool const gid_ok = c.gid == own.gid || c.gid == own.egid || c.gid == own.sgid || privileged;
                if (!pid_ok || !uid_ok || !gid_ok) return Errno(EPERM);
                request.credentials = c;
                break;
            }
            default: return Errno(EINVAL);
            }
        }
        offset += usize(uapi::CMSG_ALIGN(control.cmsg_len));
    }
    return {};
}

// One send, however it came (sendto, sendmsg). `destination` is the
// address as given, or null; the socket decides what it means.
Result<u64> send(SocketFile& file, net::DataVector const& data, int flags, SocketAddress const* destination,
                 MessageHeader const* header) {
    Socket& socket = file.socket();
    net::SendRequest request { data };
    request.flags = flags;
    request.non_blocking = file.non_blocking() || (flags & uapi::MSG_DONTWAIT);
    request.credentials = net::current_peer_credentials();
    if (header) TRY(read_control(*header, request, socket));
    request.destination = destination;
    auto start = TRY(address_start());
    vfs::Context const context = start.context();
    request.context = &context;
    return TRY(socket.send(request));
}

// The control messages a receive produced, written into the user's
// buffer as put_cmsg/scm_detach_fds do: what does not fit is cut
// (MSG_CTRUNC), and files that find no room are closed.
class ControlWriter {
public:
    ControlWriter(u64 address, u64 length) : m_address(address), m_remaining(length), m_start(address) { }

    int flags() const { return m_flags; }
    u64 used() const { return m_address - m_start; }
    bool has_buffer() const { return m_start != 0; }
    void truncated() { m_flags |= uapi::MSG_CTRUNC; }

    Result<void> put(int level, int type, void const* data, usize length) {
        if (m_remaining < sizeof(ControlHeader)) {
            truncated();
            return {};
        }
        u64 length_with_header = uapi::CMSG_LEN(length);
        if (m_remaining < length_with_header) {
            truncated();
            length_with_header = m_remaining;
        }
        ControlHeader header { length_with_header, level, type };
        TRY(mm::copy_to_user(m_address, &header, sizeof(header)));
        TRY(mm::copy_to_user(m_address + sizeof(header), data, usize(length_with_header - sizeof(header))));
        advance(uapi::CMSG_SPACE(length));
        return {};
    }

    Result<void> put_files(Vector<RefPtr<File>>& files, bool close_on_exec) {
        u64 const room = m_remaining > sizeof(ControlHeader) ? (m_remaining - sizeof(ControlHeader)) / sizeof(int) : 0;
        usize const most = usize(lib::min(room, u64(files.size())));
        auto& fds = current_process().fds();
        usize installed = 0;
        Result<void> status;
        for (; installed < most; installed++) {
            auto fd = fds.allocate(files[installed], close_on_exec);
            if (fd.is_error()) break;
            int const number = fd.value();
            status = mm::copy_to_user(m_address + uapi::CMSG_LEN(installed * sizeof(int)), &number, sizeof(number));
            if (status.is_error()) {
                (void)fds.close(number);
                break;
            }
        }
        if (installed) {
            ControlHeader header { uapi::CMSG_LEN(installed * sizeof(int)), uapi::SOL_SOCKET, uapi::SCM_RIGHTS };
            TRY(mm::copy_to_user(m_address, &header, sizeof(header)));
            advance(uapi::CMSG_SPACE(installed * sizeof(int)));
        }
        if (installed < files.size() || (files.size() && most == 0)) truncated();
        return status;
    }

private:
    void advance(u64 space) {
        space = lib::min(space, m_remaining);
        m_address += space;
        m_remaining -= space;
    }
    u64 m_address;
    u64 m_remaining;
    u64 m_start;
    int m_flags { 0 };
};

bool passes_credentials(Socket& socket) {
    if (socket.family() != uapi::AF_UNIX) return false;
    u8 value[kOptionSize];
    auto length = socket.option(uapi::SOL_SOCKET, uapi::SO_PASSCRED, value);
    int on = 0;
    if (!length.is_error()) __builtin_memcpy(&on, value, sizeof(on));
    return on;
}

Result<u64> do_accept(int fd, UserPtr<u8> address, UserPtr<int> address_length, int flags) {
    if (flags & ~(uapi::SOCK_CLOEXEC | uapi::SOCK_NONBLOCK)) return Errno(EINVAL);
    auto file = TRY(socket_for(fd));
    auto connection = TRY(as_socket(file).socket().accept(file->non_blocking()));
    auto accepted = TRY(SocketFile::create(connection, u32(flags)));
    if (!address.is_null()) {
        auto peer = connection->peer_address();
        if (peer.is_error()) return Errno(ECONNABORTED);
        TRY(copy_address_out(peer.value(), address, address_length));
    }
    return TRY(current_process().fds().allocate(accepted, flags & uapi::SOCK_CLOEXEC));
}

Result<void> check_user_buffer(UserPtr<u8> buffer, usize& length) {
    length = lib::min(length, kMaxTransfer);
    if (!mm::is_user_range(buffer.address, length)) return Errno(EFAULT);
    return {};
}

} // namespace

SYSCALL_HANDLER(socket, int family, int type, int protocol) {
    u32 flags;
    auto socket = TRY(create_socket(family, type, protocol, flags));
    return TRY(install(socket, flags));
}

// Only AF_UNIX pairs; the others make both sockets, then refuse
// (sock_no_socketpair).
SYSCALL_HANDLER(socketpair, int family, int type, int protocol, UserPtr<int> pair_out) {
    u32 flags;
    auto a = TRY(create_socket(family, type, protocol, flags));
    auto b = TRY(create_socket(family, type, protocol, flags));
    if (family != uapi::AF_UNIX) return Errno(EOPNOTSUPP);
    UnixSocket::connect_pair(static_cast<UnixSocket&>(*a), static_cast<UnixSocket&>(*b));
    // Both files exist before either descriptor: a failure then leaves
    // nothing to undo but the files themselves.
    auto first = TRY(SocketFile::create(a, flags));
    auto second = TRY(SocketFile::create(b, flags));
    return install_pair(first, second, flags & vfs::kCloseOnExec, pair_out);
}

SYSCALL_HANDLER(bind, int fd, UserPtr<u8> user_address, int length) {
    auto file = TRY(socket_for(fd));
    SocketAddress const address = TRY(copy_address_in(user_address, length));
    auto start = TRY(address_start());
    TRY(as_socket(file).socket().bind(start.context(), address, current_process().fs().umask));
    return u64(0);
}

SYSCALL_HANDLER(listen, int fd, int backlog) {
    auto file = TRY(socket_for(fd));
    if (u32(backlog) > u32(Socket::kMaxBacklog)) backlog = Socket::kMaxBacklog; // also a negative one
    TRY(as_socket(file).socket().listen(backlog));
    return u64(0);
}

SYSCALL_HANDLER(accept, int fd, UserPtr<u8> address, UserPtr<int> address_length) {
    return do_accept(fd, address, address_length, 0);
}

SYSCALL_HANDLER(accept4, int fd, UserPtr<u8> address, UserPtr<int> address_length, int flags) {
    return do_accept(fd, address, address_length, flags);
}

SYSCALL_HANDLER(connect, int fd, UserPtr<u8> user_address, int length) {
    auto file = TRY(file_for(fd));
    SocketAddress const address = TRY(copy_address_in(user_address, length));
    if (file->kind() != FileKind::Socket) return Errno(ENOTSOCK);
    auto start = TRY(address_start());
    TRY(as_socket(file).socket().connect(start.context(), address, file->non_blocking()));
    return u64(0);
}

// An address with a length of 0 is still an address to sendto (UDP says
// EINVAL; AF_UNIX takes it for none).
SYSCALL_HANDLER(sendto, int fd, UserPtr<u8> buffer, usize length, int flags, UserPtr<u8> user_address,
                int address_length) {
    TRY(check_user_buffer(buffer, length));
    auto file = TRY(socket_for(fd));
    SocketAddress destination;
    if (!user_address.is_null()) destination = TRY(copy_address_in(user_address, address_length));
    net::DataVector const data(IoBuffer::user(buffer.address), length);
    return send(as_socket(file), data, flags, user_address.is_null() ? nullptr : &destination, nullptr);
}

SYSCALL_HANDLER(recvfrom, int fd, UserPtr<u8> buffer, usize length, int flags, UserPtr<u8> user_address,
                UserPtr<int> address_length) {
    TRY(check_user_buffer(buffer, length));
    auto file = TRY(socket_for(fd));
    SocketFile& socket = as_socket(file);
    net::DataVector const data(IoBuffer::user(buffer.address), length);
    net::ReceiveRequest request { data };
    request.flags = flags;
    request.non_blocking = socket.non_blocking() || (flags & uapi::MSG_DONTWAIT);
    request.want_address = !user_address.is_null();
    usize const received = TRY(socket.socket().receive(request));
    if (!user_address.is_null()) TRY(copy_address_out(request.source, user_address, address_length));
    return received;
}

SYSCALL_HANDLER(sendmsg, int fd, UserPtr<MessageHeader> user_header, int flags) {
    auto file = TRY(socket_for(fd));
    MessageHeader header = TRY(mm::copy_from_user(user_header));
    if (header.msg_namelen < 0) return Errno(EINVAL);
    int const name_length = lib::min(header.msg_namelen, int(sizeof(Storage)));
    bool const has_address = header.msg_name && name_length;
    SocketAddress destination;
    if (has_address) destination = TRY(copy_address_in(UserPtr<u8>(header.msg_name), name_length));
    if (header.msg_iovlen > uapi::UIO_MAXIOV) return Errno(EMSGSIZE);
    auto data = TRY(net::DataVector::from_user(header.msg_iov, usize(header.msg_iovlen)));
    return send(as_socket(file), data, flags, has_address ? &destination : nullptr, &header);
}

SYSCALL_HANDLER(recvmsg, int fd, UserPtr<MessageHeader> user_header, int flags) {
    auto file = TRY(socket_for(fd));
    SocketFile& socket = as_socket(file);
    MessageHeader header = TRY(mm::copy_from_user(user_header));
    if (header.msg_namelen < 0) return Errno(EINVAL);
    if (header.msg_iovlen > uapi::UIO_MAXIOV) return Errno(EMSGSIZE);
    auto data = TRY(net::DataVector::from_user(header.msg_iov, usize(header.msg_iovlen)));
    net::ReceiveRequest request { data };
    request.flags = flags;
    request.non_blocking = socket.non_blocking() || (flags & uapi::MSG_DONTWAIT);
    request.want_address = header.msg_name != 0;
    usize const received = TRY(socket.socket().receive(request));

    ControlWriter control(header.msg_control, header.msg_controllen);
    bool const credentials = passes_credentials(socket.socket()) && request.has_credentials;
    if (!control.has_buffer()) {
        if (credentials || !request.files.is_empty()) control.truncated(); // the files are closed
    } else {
        if (credentials) TRY(control.put(uapi::SOL_SOCKET, uapi::SCM_CREDENTIALS, &request.credentials, sizeof(uapi::ucred)));
        if (!request.files.is_empty()) TRY(control.put_files(request.files, flags & uapi::MSG_CMSG_CLOEXEC));
    }
    u64 const base = user_header.address;
    if (header.msg_name)
        TRY(copy_address_out(request.source, UserPtr<u8>(header.msg_name),
                             UserPtr<int>(base + __builtin_offsetof(MessageHeader, msg_namelen))));
    int const out_flags = (flags & uapi::MSG_CMSG_CLOEXEC) | request.message_flags | control.flags();
    TRY(mm::copy_to_user(UserPtr<int>(base + __builtin_offsetof(MessageHeader, msg_flags)), out_flags));
    TRY(mm::copy_to_user(UserPtr<u64>(base + __builtin_offsetof(MessageHeader, msg_controllen)), control.used()));
    return received;
}

SYSCALL_HANDLER(shutdown, int fd, int how) {
    auto file = TRY(socket_for(fd));
    TRY(as_socket(file).socket().shutdown(how));
    return u64(0);
}

SYSCALL_HANDLER(getsockname, int fd, UserPtr<u8> address, UserPtr<int> address_length) {
    auto file = TRY(socket_for(fd));
    SocketAddress const name = as_socket(file).socket().local_address();
    TRY(copy_address_out(name, address, address_length));
    return u64(0);
}

SYSCALL_HANDLER(getpeername, int fd, UserPtr<u8> address, UserPtr<int> address_length) {
    auto file = TRY(socket_for(fd));
    SocketAddress const name = TRY(as_socket(file).socket().peer_address());
    TRY(copy_address_out(name, address, address_length));
    return u64(0);
}

// The option's value is copied in up to the largest any option takes; the
// socket checks the length the caller gave. A value that cannot be read
// reaches the socket as null: EFAULT, once the socket would read it.
SYSCALL_HANDLER(setsockopt, int fd, int level, int name, UserPtr<u8> value, int length) {
    if (length < 0) return Errno(EINVAL);
    auto file = TRY(socket_for(fd));
    u8 buffer[kOptionSize] = {};
    usize const copied = lib::min(usize(length), sizeof(buffer));
    bool const readable = !mm::copy_from_user(buffer, value.address, copied).is_error();
    TRY(as_socket(file).socket().set_option(level, name, readable ? buffer : nullptr, usize(length)));
    return u64(0);
}

SYSCALL_HANDLER(getsockopt, int fd, int level, int name, UserPtr<u8> value, UserPtr<int> user_length) {
    auto file = TRY(socket_for(fd));
    // AF_UNIX has no getsockopt below SOL_SOCKET: refused before anything is read.
    if (level != uapi::SOL_SOCKET && as_socket(file).socket().family() == uapi::AF_UNIX) return Errno(EOPNOTSUPP);
    int length = TRY(mm::copy_from_user(user_length));
    if (length < 0) return Errno(EINVAL);
    u8 buffer[kOptionSize] = {};
    usize const full = TRY(as_socket(file).socket().option(level, name, buffer));
    length = lib::min(length, int(full));
    TRY(mm::copy_to_user(value.address, buffer, usize(length)));
    TRY(mm::copy_to_user(user_length, length));
    return u64(0);
}
