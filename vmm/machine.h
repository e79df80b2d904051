// Machine: one aramid guest -- KVM VM, RAM, the loaded kernel and initrd,
// the boot info, the devices -- and the loop that runs it until it exits.
#pragma once

#include <vmm/devices/io_bus.h>
#include <vmm/devices/mmio_bus.h>
#include <vmm/devices/output.h>
#include <vmm/devices/serial.h>
#include <vmm/devices/virtio_blk.h>
#include <vmm/devices/virtio_mmio.h>
#include <vmm/devices/vm_ports.h>
#include <vmm/kvm/guest_memory.h>
#include <vmm/kvm/kvm.h>
#include <vmm/pause_gate.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <pthread.h>
#include <span>
#include <string>

namespace vmm {

// --disk: the image behind the virtio block device.
struct DiskConfig {
    std::string path;
    bool read_only = false;
};

struct MachineConfig {
    std::span<uint8_t const> kernel_elf;
    std::span<uint8_t const> initrd; // may be empty
    // Another archive that follows `initrd` in guest memory, from its next
    // 4-byte boundary: the /.aramid/argv member (may be empty).
    std::span<uint8_t const> initrd_appended;
    std::string cmdline;
    uint64_t memory_bytes = 256ull << 20;
    std::string kvm_device = "/dev/kvm";
    // The host fd whose bytes COM1 receives (stdin), or -1 for none: then
    // the carrier stays up and no byte ever arrives.
    int console_input_fd = -1;
    // Ctrl-A x on the input stops the guest (for a terminal; see ConsoleInput).
    bool console_escapes = false;
    // A virtio block device at abi::kVirtioMmioBase. The command line must
    // announce it (virtio_mmio_cmdline); that is the caller's, with the rest
    // of the command line.
    std::optional<DiskConfig> disk;
};

struct Outcome {
    int status;         // what aramid-vmm exits with
    // "exit", "panic", "triple-fault", "internal-error", "timeout", "vmm-error",
    // "escape" (Ctrl-A x), "signal" (aramid-vmm got SIGHUP, SIGINT or SIGTERM)
    std::string reason;
    std::string detail; // one line for stderr, empty for a normal exit
};

// The status after Ctrl-A x, as a shell reports a program ended by ^C.
inline constexpr int kExitEscape = 130;

class Machine {
public:
    Machine(MachineConfig const& config, OutputStream& program_output, OutputStream& kernel_log,
            PhaseClock& phases);
    ~Machine();

    // Runs the guest until it exits, faults, `timeout` passes or stop() is
    // called; meanwhile a thread feeds config.console_input_fd to COM1.
    Outcome run(std::optional<std::chrono::duration<double>> timeout);
    // Ends run() with `outcome` unless the guest has already stopped; the
    // first call wins. Any thread may call it, before or during run().
    void stop(Outcome const& outcome);
    std::string vcpu_stats() const { return m_vcpu->stats(); }
    // After the guest has stopped: KVM's slow destruction of the VM happens
    // in the background once this process has exited (close_after_exit.h).
    void close_vm_after_exit();
    GuestMemory& memory() { return m_memory; }

    // For the monitor (any thread): the debug table's GPA (0 until the kernel
    // registers it) and the gate that pauses the vCPU (see pause_gate.h).
    uint64_t debug_table_gpa() const { return m_debug_table.gpa(); }
    PauseGate& pause_gate() { return m_pause; }
    // The --disk device, or null.
    VirtioBlock const* disk() const { return m_disk.get(); }

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
    std::optional<Outcome> stop_requested();
    void pulse_irq(unsigned gsi);

    int m_console_input_fd;
    bool m_console_escapes;
    GuestMemory m_memory;
    BootState m_boot;
    // Opened before the KVM device, so that a bad --disk is reported as such.
    std::unique_ptr<VirtioBlock> m_disk;
    std::unique_ptr<VirtioMmio> m_disk_transport;
    Kvm m_kvm;
    Vm m_vm;
    std::unique_ptr<Vcpu> m_vcpu;
    PhaseClock& m_phases;
    Serial16550 m_serial;
    DebugConsole m_debugcon;
    ExitPort m_exit;
    FastConsole m_fastcon;
    FastConsoleInput m_fastcon_input { m_memory, m_serial };
    DebugTablePort m_debug_table;
    IoBus m_io;
    MmioBus m_mmio;

    // stop(): the outcome asked for and the thread to interrupt in KVM_RUN.
    std::mutex m_stop_lock;
    std::optional<Outcome> m_stop;
    std::optional<pthread_t> m_vcpu_thread;

    PauseGate m_pause;
};

} // namespace vmm
