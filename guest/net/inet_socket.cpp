// What TCP and UDP sockets share: socket(2) for AF_INET/AF_INET6, the
// endpoints, bind(2) and the port tables, routes on the loopback, and the
// IPPROTO_IP and IPPROTO_IPV6 options. The Linux function each part
// follows is named where it starts (net/ipv4/af_inet.c, net/ipv6/af_inet6.c,
// net/ipv4/inet_connection_sock.c, net/ipv4/ip_sockglue.c,
// net/ipv6/ipv6_sockglue.c).
#include <kernel/proc/process.h>
#include <kernel/sched/scheduler.h>
#include <net/inet_socket.h>

namespace net {

InetSocket::PortTable InetSocket::s_tcp_ports;
InetSocket::PortTable InetSocket::s_udp_ports;

namespace {

using uapi::AF_INET;
using uapi::AF_INET6;

// net.ipv4.ip_local_port_range, and ports below this need privilege
// (net.ipv4.ip_unprivileged_port_start).
constexpr u16 kEphemeralFirst = 32768, kEphemeralLast = 60999;
constexpr u16 kPrivilegedPorts = 1024;
constexpr u32 kLoopback = uapi::INADDR_LOOPBACK;
u32 g_next_ephemeral = 0;

u16 from_network(u16 value) { return __builtin_bswap16(value); }
u32 from_network(u32 value) { return __builtin_bswap32(value); }

bool privileged() { return sched::current()->process->credentials().euid == 0; }

bool is_loopback_v4(u32 address) { return address >> 24 == 127; }
bool is_multicast_v4(u32 address) { return address >> 28 == 0xe; }
// What bind accepts on an AF_INET socket: the wildcard, a local address
// (all of 127/8), and -- as Linux does, for receiving -- broadcast and
// multicast addresses.
bool bindable_v4(u32 address) {
    return address == 0 || is_loopback_v4(address) || is_multicast_v4(address) || address == uapi::INADDR_BROADCAST;
}

InetEndpoint v6_endpoint(uapi::sockaddr_in6 const& sin6) {
    InetEndpoint endpoint;
    __builtin_memcpy(endpoint.address, sin6.sin6_addr.s6_addr, 16);
    endpoint.port = from_network(sin6.sin6_port);
    return endpoint;
}

InetEndpoint v6_loopback(u16 port) {
    InetEndpoint endpoint;
    endpoint.address[15] = 1;
    endpoint.port = port;
    return endpoint;
}

bool is_v6_loopback(InetEndpoint const& endpoint) { return !endpoint.is_v4() && endpoint.same_address(v6_loopback(0)); }
bool is_v6_multicast(InetEndpoint const& endpoint) { return endpoint.address[0] == 0xff; }
bool is_v6_link_local(InetEndpoint const& endpoint) {
    return endpoint.address[0] == 0xfe && (endpoint.address[1] & 0xc0) == 0x80;
}

} // namespace

// ---- endpoints ---------------------------------------------------------------------

InetEndpoint InetEndpoint::v4(u32 address, u16 port) {
    InetEndpoint endpoint;
    endpoint.address[10] = endpoint.address[11] = 0xff;
    u32 const network = __builtin_bswap32(address);
    __builtin_memcpy(endpoint.address + 12, &network, 4);
    endpoint.port = port;
    return endpoint;
}

bool InetEndpoint::is_v4() const {
    for (int i = 0; i < 10; i++)
        if (address[i]) return false;
    return address[10] == 0xff && address[11] == 0xff;
}

u32 InetEndpoint::v4_address() const {
    u32 network;
    __builtin_memcpy(&network, address + 12, 4);
    return __builtin_bswap32(network);
}

bool InetEndpoint::is_unspecified() const {
    for (u8 byte : address)
        if (byte) return false;
    return true;
}

SocketAddress InetSocket::to_user(InetEndpoint const& endpoint) const {
    SocketAddress out;
    if (m_family == AF_INET) {
        uapi::sockaddr_in sin {};
        sin.sin_family = AF_INET;
        sin.sin_port = from_network(endpoint.port);
        sin.sin_addr.s_addr = __builtin_bswap32(endpoint.v4_address());
        __builtin_memcpy(out.bytes, &sin, sizeof(sin));
        out.length = sizeof(sin);
        return out;
    }
    uapi::sockaddr_in6 sin6 {};
    sin6.sin6_family = AF_INET6;
    sin6.sin6_port = from_network(endpoint.port);
    __builtin_memcpy(sin6.sin6_addr.s6_addr, endpoint.address, 16);
    __builtin_memcpy(out.bytes, &sin6, sizeof(sin6));
    out.length = sizeof(sin6);
    return out;
}

// ---- life cycle ------------------------------------------------------------------

// inet_create and inet6_create: the protocol's range, then the type (no
// entry: ESOCKTNOSUPPORT), then the protocol within it.
Result<RefPtr<Socket>> InetSocket::create(int family, int type, int protocol) {
    if (protocol < 0 || protocol >= uapi::IPPROTO_MAX) return Errno(EINVAL);
    int const icmp = family == AF_INET ? uapi::IPPROTO_ICMP : uapi::IPPROTO_ICMPV6;
    switch (type) {
    case uapi::SOCK_STREAM:
        if (protocol != 0 && protocol != uapi::IPPROTO_TCP) return Errno(EPROTONOSUPPORT);
        return RefPtr<Socket>(TRY(TcpSocket::create(family)));
    case uapi::SOCK_DGRAM:
        // Ping sockets need net.ipv4.ping_group_range, empty by default.
        if (protocol == icmp) return Errno(EACCES);
        if (protocol != 0 && protocol != uapi::IPPROTO_UDP) return Errno(EPROTONOSUPPORT);
        return RefPtr<Socket>(TRY(UdpSocket::create(family)));
    case uapi::SOCK_RAW:
        // Raw sockets take any protocol but 0, with CAP_NET_RAW. Without a
        // network device there is nothing to send raw packets through:
        // the answer is the unprivileged one, for root too.
        if (protocol == 0) return Errno(EPROTONOSUPPORT);
        return Errno(EPERM);
    }
    return Errno(ESOCKTNOSUPPORT);
}

InetSocket::InetSocket(int family, SocketType type) : Socket(type), m_family(family) {
    if (family == AF_INET) m_local = InetEndpoint::v4(0, 0);
    m_uid = sched::current()->process->credentials().euid;
}

InetSocket::~InetSocket() { leave_port_table(); }

void InetSocket::leave_port_table() {
    if (is_bound()) port_table().remove(*this);
}

// ---- binding ---------------------------------------------------------------------

// __inet_bind and __inet6_bind, their checks in their order.
Result<void> InetSocket::bind(vfs::Context const&, SocketAddress const& raw, u32) {
    InetEndpoint local;
    if (m_family == AF_INET) {
        if (raw.length < sizeof(uapi::sockaddr_in)) return Errno(EINVAL);
        uapi::sockaddr_in sin;
        __builtin_memcpy(&sin, raw.bytes, sizeof(sin));
        u32 const address = from_network(sin.sin_addr.s_addr);
        // AF_UNSPEC passes for the wildcard, an old compatibility game.
        if (sin.sin_family != AF_INET && (sin.sin_family != uapi::AF_UNSPEC || address != 0))
            return Errno(EAFNOSUPPORT);
        if (!bindable_v4(address) && !(m_ip.flags & (1u << uapi::IP_FREEBIND))) return Errno(EADDRNOTAVAIL);
        local = InetEndpoint::v4(address, from_network(sin.sin_port));
        if (local.port && local.port < kPrivilegedPorts && !privileged()) return Errno(EACCES);
        if (m_state != State::Unconnected || is_bound()) return Errno(EINVAL);
    } else {
        if (raw.length < uapi::SIN6_LEN_RFC2133) return Errno(EINVAL);
        uapi::sockaddr_in6 sin6 {};
        __builtin_memcpy(&sin6, raw.bytes, lib::min(usize(raw.length), sizeof(sin6)));
        if (sin6.sin6_family != AF_INET6) return Errno(EAFNOSUPPORT);
        local = v6_endpoint(sin6);
        if (is_v6_multicast(local) && m_type == SocketType::Stream) return Errno(EINVAL);
        if (local.port && local.port < kPrivilegedPorts && !privileged()) return Errno(EACCES);
        if (m_state != State::Unconnected || is_bound()) return Errno(EINVAL);
        if (local.is_v4()) {
            if (m_ip.v6only) return Errno(EINVAL);
            if (!bindable_v4(local.v4_address()) && !(m_ip.flags & (1u << uapi::IP_FREEBIND)))
                return Errno(EADDRNOTAVAIL);
        } else if (!local.is_unspecified()) {
            // A link-local address names an interface by its scope; the
            // loopback has none.
            bool const scoped = raw.length >= sizeof(sin6) && sin6.sin6_scope_id;
            if (is_v6_link_local(local) && !scoped) return Errno(EINVAL);
            if (!is_v6_loopback(local) && !is_v6_multicast(local)) return Errno(EADDRNOTAVAIL);
        }
    }
    TRY(take_port(local, PortChoice::Bind));
    m_address_locked = !m_local.is_wildcard();
    // A socket bound to an IPv6 address cannot take IPv4 traffic.
    if (m_family == AF_INET6 && !local.is_unspecified() && !local.is_v4()) m_ip.v6only = true;
    m_port_locked = local.port != 0;
    return {};
}

namespace {

// inet_rcv_saddr_equal (ipv6_rcv_saddr_equal, which also covers IPv4
// sockets, their addresses mapped): whether two sockets' bound addresses
// take some destination in common.
bool addresses_overlap(InetEndpoint const& a, bool a_v6only, InetEndpoint const& b, bool b_v6only) {
    if (a.is_v4() && b.is_v4()) return a.v4_address() == b.v4_address() || !a.v4_address() || !b.v4_address();
    if (a.is_unspecified() && b.is_unspecified()) return true;
    if (b.is_unspecified() && !(b_v6only && a.is_v4())) return true;
    if (a.is_unspecified() && !(a_v6only && b.is_v4())) return true;
    return a.same_address(b);
}

} // namespace

// inet_bind_conflict: SO_REUSEADDR on both lets two sockets share a port
// unless the one already there listens; SO_REUSEPORT on both (same user)
// lets them share it in any state.
bool InetSocket::conflicts_with(InetSocket const& other) const {
    if (!addresses_overlap(m_local, m_ip.v6only, other.m_local, other.m_ip.v6only)) return false;
    if (flag_option(uapi::SO_REUSEADDR) && other.flag_option(uapi::SO_REUSEADDR) && other.m_state != State::Listening)
        return false;
    if (flag_option(uapi::SO_REUSEPORT) && other.flag_option(uapi::SO_REUSEPORT) && m_uid == other.m_uid) return false;
    return true;
}

bool InetSocket::port_in_use(u16 port) const {
    for (auto& socket : port_table())
        if (&socket != this && socket.m_local.port == port) return true;
    return false;
}

bool InetSocket::port_conflicts() const {
    for (auto& socket : port_table())
        if (&socket != this && socket.m_local.port == m_local.port && conflicts_with(socket)) return true;
    return false;
}

// inet_csk_get_port (bind, listen), inet_hash_connect (connect) and
// udp_lib_get_port. An ephemeral port is one nobody has; Linux's search
// starts at a random place, and bind takes odd ports, connect even ones.
Result<void> InetSocket::take_port(InetEndpoint const& local, PortChoice choice) {
    InetEndpoint const previous = m_local;
    m_local = local;
    if (local.port) {
        if (port_conflicts()) {
            m_local = previous;
            return Errno(EADDRINUSE);
        }
    } else {
        constexpr u32 kRange = kEphemeralLast - kEphemeralFirst + 1;
        u32 const parity = choice == PortChoice::Connect ? 0 : 1;
        bool found = false;
        for (u32 pass = 0; pass < 2 && !found; pass++) {
            for (u32 tries = 0; tries < kRange; tries++) {
                u16 const port = u16(kEphemeralFirst + (g_next_ephemeral++ % kRange));
                if ((port & 1) != (pass ? 1 - parity : parity)) continue;
                if (port_in_use(port)) continue;
                m_local.port = port;
                found = true;
                break;
            }
        }
        if (!found) {
            m_local = previous;
            switch (choice) {
            case PortChoice::Bind: return Errno(EADDRINUSE);
            case PortChoice::Connect: return Errno(EADDRNOTAVAIL);
            case PortChoice::Automatic: return Errno(EAGAIN);
            }
        }
    }
    if (!is_bound()) port_table().append(*this);
    return {};
}

// ---- routes ----------------------------------------------------------------------

// The checks of tcp_v4_connect, tcp_v6_connect, ip4_datagram_connect,
// ip6_datagram_connect, udp_sendmsg and udpv6_sendmsg on the address.
Result<InetEndpoint> InetSocket::destination_from_user(SocketAddress const& raw, Use use) const {
    bool const udp = m_type == SocketType::Datagram;
    u16 const family = raw.family();
    bool const v4 = m_family == AF_INET || (udp && family == AF_INET);
    InetEndpoint destination;
    if (v4) {
        if (raw.length < sizeof(uapi::sockaddr_in)) return Errno(EINVAL);
        if (m_family == AF_INET6 && m_ip.v6only) return Errno(use == Use::Send ? ENETUNREACH : EAFNOSUPPORT);
        if (family != AF_INET && !(use == Use::Send && family == uapi::AF_UNSPEC)) return Errno(EAFNOSUPPORT);
        uapi::sockaddr_in sin;
        __builtin_memcpy(&sin, raw.bytes, sizeof(sin));
        destination = InetEndpoint::v4(from_network(sin.sin_addr.s_addr), from_network(sin.sin_port));
    } else {
        if (raw.length < uapi::SIN6_LEN_RFC2133) return Errno(EINVAL);
        if (family != AF_INET6) return Errno(use == Use::Send ? EINVAL : EAFNOSUPPORT);
        uapi::sockaddr_in6 sin6 {};
        __builtin_memcpy(&sin6, raw.bytes, lib::min(usize(raw.length), sizeof(sin6)));
        destination = v6_endpoint(sin6);
        if (destination.is_v4() && m_ip.v6only) return Errno(ENETUNREACH);
        if (is_v6_multicast(destination) && !udp) return Errno(ENETUNREACH);
    }
    if (use == Use::Send && destination.port == 0) return Errno(EINVAL);
    // A wildcard destination is the local host (a BSD-ism Linux keeps).
    if (destination.is_unspecified()) {
        destination = m_local.is_v4() && m_family == AF_INET6 && !m_local.is_wildcard() ? InetEndpoint::v4(kLoopback, destination.port)
                                                                                         : v6_loopback(destination.port);
    } else if (destination.is_v4() && destination.v4_address() == 0) {
        destination = InetEndpoint::v4(kLoopback, destination.port);
    }
    return destination;
}

Result<InetEndpoint> InetSocket::route(InetEndpoint const& destination) const {
    bool const bound_address = m_address_locked && !(m_local.is_v4() && (is_multicast_v4(m_local.v4_address())
                                                                         || m_local.v4_address() == uapi::INADDR_BROADCAST))
                               && !is_v6_multicast(m_local);
    if (destination.is_v4()) {
        if (!is_loopback_v4(destination.v4_address())) return Errno(ENETUNREACH);
        if (bound_address) {
            if (!m_local.is_v4()) return Errno(ENETUNREACH);
            return m_local;
        }
        return InetEndpoint::v4(kLoopback, m_local.port);
    }
    if (!is_v6_loopback(destination)) return Errno(ENETUNREACH);
    if (bound_address) {
        if (m_local.is_v4()) return Errno(ENETUNREACH);
        return m_local;
    }
    return v6_loopback(m_local.port);
}

bool InetSocket::accepts(InetEndpoint const& destination) const {
    if (destination.is_v4()) {
        if (m_local.is_v4()) return m_local.v4_address() == 0 || m_local.v4_address() == destination.v4_address();
        return m_local.is_unspecified() && !m_ip.v6only;
    }
    if (m_family == AF_INET || m_local.is_v4()) return false;
    return m_local.is_unspecified() || m_local.same_address(destination);
}

int InetSocket::match_score(InetEndpoint const& destination) const {
    if (!accepts(destination)) return -1;
    int score = m_family == AF_INET ? 2 : 1;
    if (!m_local.is_wildcard()) score += 4;
    return score;
}

// ---- options (do_ip_setsockopt, do_ipv6_setsockopt and their getters) ------------------

namespace {

// The boolean options, each a bit of m_ip.flags: IP ones by number, IPv6
// ones above them. -1 for the rest.
int ip_flag_bit(int level, int name) {
    if (level == uapi::SOL_IP) {
        switch (name) {
        case uapi::IP_RECVOPTS:
        case uapi::IP_RETOPTS:
        case uapi::IP_PKTINFO:
        case uapi::IP_RECVERR:
        case uapi::IP_RECVTTL:
        case uapi::IP_RECVTOS:
        case uapi::IP_FREEBIND:
        case uapi::IP_TRANSPARENT:
        case uapi::IP_BIND_ADDRESS_NO_PORT:
        case uapi::IP_MULTICAST_LOOP: return name % 32;
        }
        return -1;
    }
    switch (name) {
    case uapi::IPV6_MULTICAST_LOOP: return 30;
    case uapi::IPV6_RECVPKTINFO: return 29;
    case uapi::IPV6_RECVERR: return 28;
    }
    return -1;
}

// IP_MULTICAST_LOOP and IPV6_MULTICAST_LOOP are on by default: their bits
// are kept inverted.
bool default_on(int level, int name) {
    return level == uapi::SOL_IP ? name == uapi::IP_MULTICAST_LOOP : name == uapi::IPV6_MULTICAST_LOOP;
}

// IP_MTU on a connected socket: the loopback's MTU, which an IPv4 route
// caps at IP_MAX_MTU.
constexpr int kLoopbackMtuV4 = 65535, kLoopbackMtuV6 = 65536;
constexpr int kDefaultTtl = 64; // net.ipv4.ip_default_ttl, and IPv6's hop limit

// An int option value: IP options also take a single byte, or nothing (0).
int ip_int_value(u8 const* value, usize length) {
    int v = 0;
    if (length >= sizeof(int)) __builtin_memcpy(&v, value, sizeof(v));
    else if (length >= 1) v = value[0];
    return v;
}

usize put_int(u8* out, int value) {
    __builtin_memcpy(out, &value, sizeof(value));
    return sizeof(value);
}

} // namespace

// IPPROTO_IP options take an int, a byte or nothing (0); IPPROTO_IPV6
// ones an int.
Result<void> InetSocket::set_protocol_option(int level, int name, u8 const* value, usize length) {
    bool const ipv6 = level == uapi::SOL_IPV6 && m_family == AF_INET6;
    if (level != uapi::SOL_IP && !ipv6) return Errno(ENOPROTOOPT);
    int const bit = ip_flag_bit(level, name);
    if (bit < 0) return ipv6 ? set_ipv6_option(name, value, length) : set_ip_option(name, value, length);
    if (ipv6 && length < sizeof(int)) return Errno(EINVAL);
    if (!value && length) return Errno(EFAULT);
    if (name == uapi::IP_TRANSPARENT && level == uapi::SOL_IP && !privileged()) return Errno(EPERM);
    if ((ip_int_value(value, length) != 0) != default_on(level, name)) m_ip.flags |= 1u << bit;
    else m_ip.flags &= ~(1u << bit);
    return {};
}

Result<usize> InetSocket::protocol_option(int level, int name, u8* out) {
    bool const ipv6 = level == uapi::SOL_IPV6 && m_family == AF_INET6;
    if (level != uapi::SOL_IP && !ipv6) return unknown_level_option();
    int const bit = ip_flag_bit(level, name);
    if (bit >= 0) return put_int(out, int((m_ip.flags >> bit) & 1) ^ default_on(level, name));
    return ipv6 ? ipv6_option(name, out) : ip_option(name, out);
}

Result<void> InetSocket::set_ip_option(int name, u8 const* value, usize length) {
    if (!value && length) return Errno(EFAULT);
    int const v = ip_int_value(value, length);
    switch (name) {
    case uapi::IP_TOS:
        // TCP keeps its own ECN bits (the low two).
        m_ip.tos = m_type == SocketType::Stream ? u8((v & ~3) | (m_ip.tos & 3)) : u8(v);
        return {};
    case uapi::IP_TTL:
        if (length < 1) return Errno(EINVAL);
        if (v != -1 && (v < 1 || v > 255)) return Errno(EINVAL);
        m_ip.ttl = v;
        return {};
    case uapi::IP_MULTICAST_TTL:
        if (m_type == SocketType::Stream) return Errno(EINVAL);
        if (v == -1) m_ip.multicast_ttl = 1;
        else if (v < 0 || v > 255) return Errno(EINVAL);
        else m_ip.multicast_ttl = v;
        return {};
    case uapi::IP_MTU_DISCOVER:
        if (v < 0 || v > 5) return Errno(EINVAL);
        m_ip.mtu_discover = v;
        return {};
    case uapi::IP_MULTICAST_IF: return {};
    case uapi::IP_ADD_MEMBERSHIP: return Errno(ENODEV); // no device has a route to a group
    case uapi::IP_DROP_MEMBERSHIP: return Errno(EADDRNOTAVAIL);
    case uapi::IP_OPTIONS: return {};
    }
    // IP_HDRINCL is a raw socket's; the rest are not known.
    return Errno(ENOPROTOOPT);
}

Result<usize> InetSocket::ip_option(int name, u8* out) {
    switch (name) {
    case uapi::IP_TOS: return put_int(out, m_ip.tos);
    case uapi::IP_TTL: return put_int(out, m_ip.ttl < 0 ? kDefaultTtl : m_ip.ttl);
    case uapi::IP_MULTICAST_TTL: return put_int(out, m_ip.multicast_ttl);
    case uapi::IP_MTU_DISCOVER: return put_int(out, m_ip.mtu_discover);
    case uapi::IP_HDRINCL: return put_int(out, 0);
    case uapi::IP_MULTICAST_IF: return put_int(out, 0);
    case uapi::IP_OPTIONS: return usize(0);
    case uapi::IP_MTU:
        if (m_state != State::Connected) return Errno(ENOTCONN);
        return put_int(out, m_family == AF_INET ? kLoopbackMtuV4 : kLoopbackMtuV6);
    }
    return Errno(ENOPROTOOPT);
}

Result<void> InetSocket::set_ipv6_option(int name, u8 const* value, usize length) {
    if (length < sizeof(int)) return Errno(EINVAL);
    if (!value) return Errno(EFAULT);
    int v;
    __builtin_memcpy(&v, value, sizeof(v));
    switch (name) {
    case uapi::IPV6_V6ONLY:
        if (is_bound()) return Errno(EINVAL);
        m_ip.v6only = v != 0;
        return {};
    case uapi::IPV6_UNICAST_HOPS:
        if (v < -1 || v > 255) return Errno(EINVAL);
        m_ip.hop_limit = v;
        return {};
    case uapi::IPV6_MULTICAST_HOPS:
        if (m_type == SocketType::Stream) return Errno(ENOPROTOOPT);
        if (v < -1 || v > 255) return Errno(EINVAL);
        m_ip.multicast_ttl = v == -1 ? 1 : v;
        return {};
    case uapi::IPV6_TCLASS:
        if (v < -1 || v > 255) return Errno(EINVAL);
        m_ip.traffic_class = v == -1 ? 0 : v;
        return {};
    case uapi::IPV6_MULTICAST_IF: return {};
    }
    return Errno(ENOPROTOOPT);
}

Result<usize> InetSocket::ipv6_option(int name, u8* out) {
    switch (name) {
    case uapi::IPV6_V6ONLY: return put_int(out, m_ip.v6only);
    case uapi::IPV6_UNICAST_HOPS: return put_int(out, m_ip.hop_limit < 0 ? kDefaultTtl : m_ip.hop_limit);
    case uapi::IPV6_MULTICAST_HOPS: return put_int(out, m_ip.multicast_ttl);
    case uapi::IPV6_TCLASS: return put_int(out, m_ip.traffic_class);
    case uapi::IPV6_MULTICAST_IF: return put_int(out, 0);
    }
    return Errno(ENOPROTOOPT);
}

} // namespace net
