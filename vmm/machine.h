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
    std::string kvm_device = "/dev/kvm";
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

    // Where the vCPU starts: what load_guest() left in RAM for it.
    struct BootState {
        uint64_t entry;
        uint64_t boot_info_gpa;
        uint64_t cr3;
    };
    // Loads the kernel, the initrd, the boot info, the boot page tables and
    // the GDT into `memory`, and checks that the entry point is mapped.
    // Throws VmmError for a bad kernel or initrd. The constructor runs it
    // before it opens the KVM device, so bad inputs are reported as such
    // whatever the host's /dev/kvm is; it needs no KVM, so the unit tests
    // call it directly.
    static BootState load_guest(MachineConfig const& config, GuestMemory& memory);

private:
    Outcome handle_exit(bool& done);

    GuestMemory m_memory;
    BootState m_boot;
    Kvm m_kvm;
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
