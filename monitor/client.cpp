#include <monitor/client.h>

#include <cerrno>
#include <cstring>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

namespace aramid::monitor {

namespace {

// Connects to the unix socket by hand, so that each errno gets its own
// message (KJ's would say only "connect(): ...").
int connect_socket(std::string const& path) {
    sockaddr_un address {};
    address.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof(address.sun_path))
        throw ClientError("socket path must be 1-" + std::to_string(sizeof(address.sun_path) - 1) + " bytes long");
    std::memcpy(address.sun_path, path.c_str(), path.size());
    int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) throw ClientError(std::string("socket: ") + std::strerror(errno));
    if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0) return fd;
    int const error = errno;
    ::close(fd);
    switch (error) {
    case ENOENT:
        throw ClientError("no monitor socket at '" + path + "' (is aramid-vmm running with --monitor " + path + "?)");
    case ECONNREFUSED:
        throw ClientError("the VM has gone away: nothing serves '" + path + "' any more");
    case ENOTSOCK:
        throw ClientError("'" + path + "' is not a socket");
    default:
        throw ClientError("cannot connect to '" + path + "': " + std::strerror(error));
    }
}

} // namespace

MonitorConnection::MonitorConnection(std::string const& socket_path, uint32_t protocol)
    : m_socket_path(socket_path), m_io(kj::setupAsyncIo()) {
    int const fd = connect_socket(socket_path);
    m_stream = m_io.lowLevelProvider->wrapSocketFd(
        fd, kj::LowLevelAsyncIoProvider::TAKE_OWNERSHIP | kj::LowLevelAsyncIoProvider::ALREADY_CLOEXEC);
    m_rpc = kj::heap<capnp::TwoPartyClient>(*m_stream);
    auto gate = m_rpc->bootstrap().castAs<rpc::Gate>();
    auto request = gate.openRequest();
    request.setClientProtocol(protocol);
    auto response = wait(request.send());
    m_vmm_version = response.getVmmVersion();
    if (response.getServerProtocol() != protocol || !response.hasMonitor())
        throw ClientError("protocol version mismatch: aramid-mon speaks version " + std::to_string(protocol)
                          + ", the VMM at '" + socket_path + "' (aramid-vmm " + m_vmm_version + ") speaks version "
                          + std::to_string(response.getServerProtocol()));
    m_monitor = response.getMonitor();
}

std::string MonitorConnection::describe(kj::Exception const& e) const {
    if (e.getType() == kj::Exception::Type::DISCONNECTED)
        return "the VM has gone away (aramid-vmm at '" + m_socket_path + "' closed the connection)";
    std::string text = e.getDescription().cStr();
    for (char const* prefix : { "remote exception: ", "std::exception: " })
        if (text.rfind(prefix, 0) == 0) text.erase(0, std::strlen(prefix));
    return text;
}

} // namespace aramid::monitor
