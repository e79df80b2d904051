#include <vmm/boot/boot_info.h>
#include <vmm/boot/elf_loader.h>
#include <vmm/boot/layout.h>
#include <vmm/boot/page_tables.h>
#include <vmm/machine.h>
#include <vmm/util/error.h>

#include <proto/vm_abi.h>

#include <cinttypes>
#include <condition_variable>
#include <cstdio>
#include <csignal>
#include <cstring>
#include <mutex>
#include <pthread.h>
#include <thread>

namespace vmm {

using namespace aramid::abi;

namespace {

void on_kick(int) { }

// Interrupts KVM_RUN when the timeout passes: sets immediate_exit (so a
// KVM_RUN about to start returns at once) and signals the vCPU thread.
class Watchdog {
public:
    Watchdog(kvm_run* run, std::chrono::duration<double> timeout) : m_run(run), m_target(pthread_self()) {
        struct sigaction sa {};
        sa.sa_handler = on_kick;
        sigemptyset(&sa.sa_mask);
        sigaction(SIGUSR1, &sa, nullptr); // no SA_RESTART: KVM_RUN returns EINTR
        auto deadline = std::chrono::steady_clock::now()
            + std::chrono::duration_cast<std::chrono::steady_clock::duration>(timeout);
        m_thread = std::thread([this, deadline] {
            std::unique_lock lock(m_lock);
            if (m_wake.wait_until(lock, deadline, [this] { return m_cancelled; })) return;
            m_fired = true;
            m_run->immediate_exit = 1;
            pthread_kill(m_target, SIGUSR1);
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
    bool fired() {
        std::lock_guard lock(m_lock);
        return m_fired;
    }

private:
    kvm_run* m_run;
    pthread_t m_target;
    std::mutex m_lock;
    std::condition_variable m_wake;
    bool m_cancelled { false };
    bool m_fired { false };
    std::thread m_thread;
};

} // namespace

Machine::Machine(MachineConfig const& config, OutputStream& program_output, OutputStream& kernel_log,
                 PhaseClock& phases)
    : m_memory(config.memory_bytes)
    , m_boot(load_guest(config, m_memory))
    , m_kvm(config.kvm_device)
    , m_vm(m_kvm)
    , m_phases(phases)
    , m_serial(program_output)
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
    m_io.attach(kPortPhase, 4, m_phases);
    m_io.attach(kPortDebugTable, 4, m_debug_table);
    m_phases.mark(Phase::VmReady);
}

Machine::~Machine() = default;

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
    if (!config.initrd.empty()) {
        boot.initrd_size = config.initrd.size();
        boot.initrd_gpa = place_initrd(memory.size(), config.initrd.size(), (image.physical_end + 0xfff) & ~0xfffull);
        memory.write_bytes(boot.initrd_gpa, config.initrd.data(), config.initrd.size());
    }
    BootState state {};
    state.entry = image.entry;
    state.boot_info_gpa = write_boot_info(memory, boot);
    state.cr3 = write_boot_page_tables(memory);
    write_boot_gdt(memory);
    return state;
}

Outcome Machine::run(std::optional<std::chrono::duration<double>> timeout) {
    std::optional<Watchdog> watchdog;
    if (timeout) watchdog.emplace(m_vcpu->run_state(), *timeout);
    for (;;) {
        if (!m_vcpu->run()) {
            if (watchdog && watchdog->fired())
                return { kExitTimeout, "timeout", "guest still running after the --timeout; stopped it" };
            continue;
        }
        bool done = false;
        Outcome outcome = handle_exit(done);
        if (done) return outcome;
    }
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
    case KVM_EXIT_MMIO:
        // No MMIO devices yet: reads see all ones, writes are dropped.
        if (!run->mmio.is_write) std::memset(run->mmio.data, 0xff, sizeof(run->mmio.data));
        return {};
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
