#include <vmm/boot/boot_info.h>
#include <vmm/boot/elf_loader.h>
#include <vmm/boot/initramfs.h>
#include <vmm/boot/layout.h>
#include <vmm/boot/page_tables.h>
#include <vmm/devices/console_input.h>
#include <vmm/machine.h>
#include <vmm/util/close_after_exit.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <algorithm>
#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <functional>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace vmm {

using namespace aramid::abi;

namespace {

constexpr unsigned kSerialGsi = 4; // COM1's ISA IRQ

void on_kick(int) { }

// Calls `expire` once `timeout` has passed, unless destroyed first.
class Watchdog {
public:
    Watchdog(std::chrono::duration<double> timeout, std::function<void()> expire) {
        auto deadline = std::chrono::steady_clock::now()
            + std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
        m_thread = std::thread([this, deadline, expire = std::move(expire)] {
            std::unique_lock lock(m_lock);
            if (m_wake.wait_until(lock, deadline, [this] { return m_cancelled; })) return;
            lock.unlock();
            expire();
        });
    }
    ~Watchdog() {
        {
            std::lock_guard lock(m_lock);
            m_cancelled = true;
        }
        m_wake.notify_all();
        m_thread.join();
    }

private:
    std::mutex m_lock;
    std::condition_variable m_wake;
    bool m_cancelled { false };
    std::thread m_thread;
};

} // namespace

Machine::Machine(MachineConfig const& config, OutputStream& program_output, OutputStream& kernel_log,
                 PhaseClock& phases)
    : m_console_input_fd(config.console_input_fd)
    , m_console_escapes(config.console_escapes)
    , m_memory(config.memory_bytes)
    , m_boot(load_guest(config, m_memory))
    , m_disk(config.disk ? std::make_unique<VirtioBlock>(m_memory, config.disk->path, config.disk->read_only)
                         : nullptr)
    , m_kvm(config.kvm_device)
    , m_vm(m_kvm)
    , m_phases(phases)
    , m_serial(program_output, [this] { pulse_irq(kSerialGsi); })
    , m_debugcon(kernel_log)
    , m_fastcon(m_memory, program_output, kernel_log) {
    m_vm.set_memory(m_memory);
    m_vm.create_irqchip();
    m_vcpu = m_vm.create_vcpu(0);
    m_vcpu->set_cpuid(m_kvm.supported_cpuid());
    m_vcpu->enter_long_mode(m_boot.cr3, layout::kGdt, 8 * 8 - 1);
    kvm_regs regs {};
    regs.rip = m_boot.entry;
    regs.rflags = 2;
    regs.rbx = m_boot.boot_info_gpa;
    m_vcpu->set_regs(regs);

    m_io.attach(kPortCom1, Serial16550::kRegisters, m_serial);
    m_io.attach(kPortDebugCon, 1, m_debugcon);
    m_io.attach(kPortExit, 4, m_exit);
    m_io.attach(kPortFastCon, 4, m_fastcon);
    m_io.attach(kPortFastConIn, 4, m_fastcon_input);
    m_io.attach(kPortPhase, 4, m_phases);
    m_io.attach(kPortDebugTable, 4, m_debug_table);
    if (m_disk) {
        m_disk_transport = std::make_unique<VirtioMmio>(m_memory, *m_disk, [this] { pulse_irq(kVirtioBlkGsi); });
        m_mmio.attach(kVirtioMmioBase, kVirtioMmioSize, *m_disk_transport);
    }
    m_phases.mark(Phase::VmReady);
}

Machine::~Machine() = default;

void Machine::close_vm_after_exit() { close_after_exit({ m_vm.fd() }); }

Machine::BootState Machine::load_guest(MachineConfig const& config, GuestMemory& memory) {
    KernelImage image = parse_kernel_elf(config.kernel_elf);
    load_kernel(image, config.kernel_elf, memory, kLowMemoryEnd);
    // The vCPU starts at e_entry through the boot page tables. Unless they
    // lead to the bytes loaded for it, the guest faults before its first
    // instruction and the bad ELF looks like a kernel crash.
    if (boot_map_physical(image.entry) != image.entry_physical) {
        char message[200];
        std::snprintf(message, sizeof(message),
                      "kernel ELF: entry point 0x%" PRIx64 " (loaded at 0x%" PRIx64
                      ") is not mapped there by the boot page tables (the first GiB at 0 and at 0x%" PRIx64 ")",
                      image.entry, image.entry_physical, kKernelVirtualBase);
        throw VmmError(message);
    }

    BootInfoSpec boot;
    boot.cmdline = config.cmdline;
    uint64_t const appended_at = config.initrd_appended.empty() ? config.initrd.size()
                                                                 : appended_archive_offset(config.initrd.size());
    if (uint64_t const size = appended_at + config.initrd_appended.size()) {
        boot.initrd_size = size;
        boot.initrd_gpa = place_initrd(memory.size(), size, (image.physical_end + 0xfff) & ~0xfffull);
        if (!memory.map_from_executable(boot.initrd_gpa, config.initrd))
            memory.write_bytes(boot.initrd_gpa, config.initrd.data(), config.initrd.size());
        std::vector<uint8_t> const padding(appended_at - config.initrd.size(), 0);
        memory.write_bytes(boot.initrd_gpa + config.initrd.size(), padding.data(), padding.size());
        memory.write_bytes(boot.initrd_gpa + appended_at, config.initrd_appended.data(), config.initrd_appended.size());
    }
    BootState state {};
    state.entry = image.entry;
    state.boot_info_gpa = write_boot_info(memory, boot);
    state.cr3 = write_boot_page_tables(memory);
    write_boot_gdt(memory);
    return state;
}

Outcome Machine::run(std::optional<std::chrono::duration<double>> timeout) {
    // stop() interrupts KVM_RUN with SIGUSR1; no SA_RESTART, so KVM_RUN
    // returns EINTR.
    struct sigaction kick {};
    kick.sa_handler = on_kick;
    sigemptyset(&kick.sa_mask);
    sigaction(SIGUSR1, &kick, nullptr);
    {
        std::lock_guard guard(m_stop_lock);
        m_vcpu_thread = pthread_self();
    }
    struct Finish {
        Machine& machine;
        ~Finish() {
            std::lock_guard guard(machine.m_stop_lock);
            machine.m_vcpu_thread.reset();
        }
    } finish { *this };

    std::optional<Watchdog> watchdog;
    if (timeout)
        watchdog.emplace(*timeout, [this] {
            stop({ kExitTimeout, "timeout", "guest still running after the --timeout; stopped it" });
        });
    std::optional<ConsoleInput> input; // without it the carrier stays up and no byte arrives
    if (m_console_input_fd >= 0) {
        ConsoleInput::Handlers handlers;
        handlers.on_escape_exit = [this] { stop({ kExitEscape, "escape", "Ctrl-A x: stopped the guest" }); };
        handlers.on_error = [this](std::string const& message) { stop({ kExitVmmError, "vmm-error", message }); };
        input.emplace(m_console_input_fd, m_serial, m_console_escapes, std::move(handlers));
    }

    // The monitor's pause: parked between two KVM_RUNs (pause_gate.h). A
    // stop() while parked ends the wait, and is seen right after it.
    m_pause.attach(m_vcpu->run_state(), pthread_self());
    struct Detach {
        PauseGate& gate;
        ~Detach() { gate.detach(); }
    } detach { m_pause };
    auto const stopping = [this] { return stop_requested().has_value(); };
    auto const registers = [this]() -> std::optional<PauseGate::Registers> {
        try {
            kvm_regs const r = m_vcpu->regs();
            return PauseGate::Registers { r.rip, r.rsp, r.rbp };
        } catch (VmmError const&) {
            return std::nullopt;
        }
    };

    for (;;) {
        if (m_pause.requested()) {
            m_pause.park(stopping, registers);
            if (auto outcome = stop_requested()) return *outcome;
        }
        if (!m_vcpu->run()) {
            if (auto outcome = stop_requested()) return *outcome;
            continue;
        }
        bool done = false;
        Outcome outcome = handle_exit(done);
        if (done) return outcome;
    }
}

void Machine::stop(Outcome const& outcome) {
    std::lock_guard guard(m_stop_lock);
    if (m_stop) return;
    m_stop = outcome;
    // immediate_exit makes a KVM_RUN about to start return at once; the
    // signal interrupts one already running.
    m_vcpu->run_state()->immediate_exit = 1;
    if (m_vcpu_thread) pthread_kill(*m_vcpu_thread, SIGUSR1);
}

std::optional<Outcome> Machine::stop_requested() {
    std::lock_guard guard(m_stop_lock);
    return m_stop;
}

void Machine::pulse_irq(unsigned gsi) {
    // COM1 (4) and the virtio-mmio device (5) are ISA interrupts:
    // edge-triggered, active high, so a rising edge is one interrupt.
    m_vm.set_irq_line(gsi, true);
    m_vm.set_irq_line(gsi, false);
}

Outcome Machine::handle_exit(bool& done) {
    kvm_run* run = m_vcpu->run_state();
    switch (run->exit_reason) {
    case KVM_EXIT_IO: {
        auto* data = reinterpret_cast<uint8_t*>(run) + run->io.data_offset;
        unsigned const size = run->io.size;
        for (uint32_t i = 0; i < run->io.count; i++, data += size) {
            if (run->io.direction == KVM_EXIT_IO_OUT) {
                uint32_t value = 0;
                std::memcpy(&value, data, size);
                m_io.out(run->io.port, value, size);
            } else {
                uint32_t value = m_io.in(run->io.port, size);
                std::memcpy(data, &value, size);
            }
        }
        if (auto word = m_exit.word()) {
            done = true;
            int status = exit_word_status(*word);
            if (exit_word_reason(*word) == kExitReasonPanic)
                return { kExitPanic, "panic", "kernel panic (see the kernel log above)" };
            return { status, "exit", "" };
        }
        return {};
    }
    case KVM_EXIT_MMIO: {
        // Outside the devices' windows reads see all ones and writes are
        // dropped (MmioBus).
        uint32_t const length = std::min<uint32_t>(run->mmio.len, sizeof(run->mmio.data));
        if (run->mmio.is_write) m_mmio.write(run->mmio.phys_addr, { run->mmio.data, length });
        else m_mmio.read(run->mmio.phys_addr, { run->mmio.data, length });
        return {};
    }
    case KVM_EXIT_HLT:
    case KVM_EXIT_IRQ_WINDOW_OPEN:
    case KVM_EXIT_INTR:
        return {};
    case KVM_EXIT_SHUTDOWN:
        done = true;
        return { kExitPanic, "triple-fault", "guest triple fault; vCPU state:\n" + m_vcpu->describe_state() };
    case KVM_EXIT_INTERNAL_ERROR:
        done = true;
        return { kExitPanic, "internal-error",
                 "KVM internal error (suberror " + std::to_string(run->internal.suberror)
                     + ": the host could not emulate a guest instruction); vCPU state:\n" + m_vcpu->describe_state() };
    case KVM_EXIT_FAIL_ENTRY:
        done = true;
        return { kExitVmmError, "vmm-error",
                 "KVM entry failed (hardware reason " + std::to_string(run->fail_entry.hardware_entry_failure_reason) + ")" };
    default:
        done = true;
        return { kExitVmmError, "vmm-error", "unexpected KVM exit reason " + std::to_string(run->exit_reason) };
    }
}

} // namespace vmm
