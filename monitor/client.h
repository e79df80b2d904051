// The monitor's client side: a connection to aramid-vmm's --monitor socket,
// opened through the Gate with a protocol-version check, and the one-line
// errors a person needs when it does not work (no socket, a VM that has
// gone away, a version mismatch, a failed request).
//
// Single-threaded: the KJ event loop runs on the caller's thread, in wait().
#pragma once

#include "monitor.capnp.h"

#include <capnp/rpc-twoparty.h>
#include <kj/async-io.h>

#include <cstdint>
#include <stdexcept>
#include <string>

namespace aramid::monitor {

// A one-line, user-facing error; aramid-mon prints it and exits non-zero.
class ClientError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

class MonitorConnection {
public:
    // Connects and opens the Monitor; throws ClientError.
    explicit MonitorConnection(std::string const& socket_path, uint32_t protocol = rpc::PROTOCOL_VERSION);

    rpc::Monitor::Client& monitor() { return m_monitor; }
    std::string const& vmm_version() const { return m_vmm_version; }
    kj::WaitScope& wait_scope() { return m_io.waitScope; }
    // Resolves when the server closes the connection (the VM has gone).
    kj::Promise<void> on_disconnect() { return m_rpc->onDisconnect(); }

    // Waits for `promise`, turning a failure into a ClientError.
    template<typename T>
    T wait(kj::Promise<T>&& promise) {
        try {
            return promise.wait(m_io.waitScope);
        } catch (kj::Exception const& e) {
            throw ClientError(describe(e));
        }
    }
    // The message for a failed call: the server's reason, or "gone away".
    std::string describe(kj::Exception const& e) const;

private:
    std::string m_socket_path;
    kj::AsyncIoContext m_io;
    kj::Own<kj::AsyncIoStream> m_stream;
    kj::Own<capnp::TwoPartyClient> m_rpc;
    rpc::Monitor::Client m_monitor { nullptr };
    std::string m_vmm_version;
};

} // namespace aramid::monitor
