// Target: what the monitor server needs from the VM it watches -- guest RAM,
// the debug table's address, a way to stop the vCPUs and the disk image --
// so that the server depends on no KVM code (MachineTarget is the real one).
//
// Threads: the server calls these from its own thread only; implementations
// make them safe against the vCPU thread.
#pragma once

#include <monitor/debug_table_reader.h>

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

namespace vmm {
class GuestMemory;
}

namespace aramid::monitor {

class ByteSource; // monitor/ext4_check.h

struct PauseOutcome {
    bool paused = false;  // the vCPUs are held: one resume() is owed
    bool stopped = false; // the guest has ended; its memory no longer changes
    std::chrono::nanoseconds latency {};
    std::optional<VcpuContext> vcpu; // the registers of the held vCPU, if known
    std::string error;               // neither paused nor stopped: why not
};

class Target {
public:
    virtual ~Target() = default;
    virtual vmm::GuestMemory const& memory() const = 0;
    // 0 until the kernel registers its table.
    virtual uint64_t debug_table_gpa() const = 0;
    // Holds nest: each successful pause() owes one resume().
    virtual PauseOutcome pause() = 0;
    virtual void resume() = 0;
    virtual bool paused() const = 0;
    virtual bool stopped() const = 0;
    // Host time since the vCPU first ran (0 before).
    virtual std::chrono::nanoseconds uptime() const = 0;
    // The image behind the guest's block device, read-only, as big as the
    // device the guest sees; null without one (aramid-vmm --disk).
    virtual ByteSource const* disk() const { return nullptr; }
};

} // namespace aramid::monitor
