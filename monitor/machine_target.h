// MachineTarget: the monitor's Target over a vmm::Machine -- its RAM, the
// debug-table port, its PauseGate and its disk image. Header-only, so the
// monitor library itself needs none of the VMM's KVM code; aramid-vmm's
// main() makes one.
#pragma once

#include <monitor/ext4_check.h>
#include <monitor/target.h>

#include <vmm/machine.h>

#include <atomic>
#include <fcntl.h>
#include <optional>

namespace aramid::monitor {

class MachineTarget final : public Target {
public:
    explicit MachineTarget(vmm::Machine& machine) : m_machine(machine) {
        // A descriptor of its own for the image, read with pread: the vCPU
        // thread's requests and these reads share no file offset.
        if (vmm::VirtioBlock const* disk = machine.disk()) {
            vmm::Fd fd(::fcntl(disk->fd(), F_DUPFD_CLOEXEC, 0));
            if (fd.valid()) m_disk.emplace(std::move(fd), disk->capacity_sectors() * vmm::virtio::kSectorSize);
        }
    }

    vmm::GuestMemory const& memory() const override { return m_machine.memory(); }
    uint64_t debug_table_gpa() const override { return m_machine.debug_table_gpa(); }

    PauseOutcome pause() override {
        vmm::PauseGate::Result const result = m_machine.pause_gate().pause();
        PauseOutcome outcome;
        outcome.paused = result.paused;
        outcome.stopped = result.stopped;
        outcome.latency = result.latency;
        outcome.error = result.error;
        if (result.registers)
            outcome.vcpu = VcpuContext { result.registers->rip, result.registers->rsp, result.registers->rbp };
        return outcome;
    }
    void resume() override { m_machine.pause_gate().resume(); }
    bool paused() const override { return m_machine.pause_gate().paused(); }
    bool stopped() const override { return m_machine.pause_gate().stopped(); }
    std::chrono::nanoseconds uptime() const override { return m_machine.pause_gate().uptime(); }
    ByteSource const* disk() const override { return m_disk ? &*m_disk : nullptr; }

private:
    vmm::Machine& m_machine;
    std::optional<ImageFile> m_disk;
};

} // namespace aramid::monitor
