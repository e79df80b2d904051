// Machine: one aramid guest -- KVM VM, RAM, the loaded kernel and initrd,
// the boot info, the devices -- and the loop that runs it until it exits.
#pragma once

#include <vmm/devices/io_bus.h>
#include <vmm/devices/output.h>
#include <vmm/devices/serial.h>
#include <vmm/devices/vm_ports.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/kvm/kvm.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace vmm {

struct MachineConfig {
    std::span<uint8_t const> kernel_elf;
    std::span<uint8_t const> initrd; // may be empty
    std::string cmdline;
    uint64_t memory_bytes = 256ull << 20;
};

struct Outcome {
    int status;         // what aramid-vmm exits with
    std::string reason; // "exit", "panic", "triple-fault", "internal-error", "timeout"
    std::string detail; // one line for stderr, empty for a normal exit
};

class Machine {
public:
    Machine(MachineConfig const& config, OutputStream& program_output, OutputStream& kernel_log,
            PhaseClock& phases);
    ~Machine();

    // Runs the guest until it exits, faults or `timeout` passes.
    Outcome run(std::optional<std::chrono::duration<double>> timeout);
    std::string vcpu_stats() const { return m_vcpu->stats(); }
    GuestMemory& memory() { return m_memory; }

private:
    Outcome handle_exit(bool& done);

    Kvm m_kvm;
    GuestMemory m_memory;
    Vm m_vm;
    std::unique_ptr<Vcpu> m_vcpu;
    PhaseClock& m_phases;
    Serial16550 m_serial;
    DebugConsole m_debugcon;
    ExitPort m_exit;
    FastConsole m_fastcon;
    DebugTablePort m_debug_table;
    IoBus m_io;
};

} // namespace vmm
