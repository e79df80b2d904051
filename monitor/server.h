// The monitor server: serves proto/monitor.capnp on a unix socket from its
// own thread inside aramid-vmm.
//
// The model: one thread runs a KJ event loop that accepts connections, one
// two-party RPC system per connection, and -- while any client watches -- a
// 20 ms poll of the guest's event ring and of every live stack's paint. All
// guest data comes from DebugTableReader over the Target's GuestMemory;
// requests that need a consistent view (tasks, stacks, switches, fsBitmaps)
// pause the vCPU through the Target for the length of the read -- for
// fsBitmaps, of the whole check of the Target's disk image -- and say so in
// their Snapshot. The vCPU thread never waits on this thread except while paused.
//
// Lifetime: the constructor binds the socket (a bad path is a VmmError
// before the guest starts) and returns once the thread serves it, the VM
// already held if `start_paused`. vm_stopped() gives watchers the last events
// and vmExited; the destructor closes every connection, stops the thread and
// removes the socket. It must run before the Machine behind the Target goes.
#pragma once

#include <monitor/target.h>

#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <thread>

namespace aramid::monitor {

struct ServerOptions {
    std::string socket_path;
    bool start_paused = false; // hold the vCPU before its first instruction until a client resumes it
    std::string vmm_version;
};

class Server {
public:
    Server(ServerOptions options, Target& target);
    ~Server();
    Server(Server const&) = delete;
    Server& operator=(Server const&) = delete;

    // The guest has ended with `status` (`reason` as --result says it): one
    // last poll, so watchers get the panic or overflow that ended it, then
    // vmExited; waits at most `grace` for watchers to take delivery.
    void vm_stopped(int status, std::string const& reason,
                    std::chrono::milliseconds grace = std::chrono::milliseconds(1000));

    class Core; // the server thread's state (server.cpp)

private:
    void thread_main(int listen_fd);

    ServerOptions m_options;
    Target& m_target;
    struct Shared;
    std::shared_ptr<Shared> m_shared;
    std::thread m_thread;
};

} // namespace aramid::monitor
