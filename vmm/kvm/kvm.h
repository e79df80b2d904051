// Thin RAII wrappers over the KVM API: the system fd (/dev/kvm), a VM and
// its vCPUs. They set up exactly what docs/pvm.md 2.1 prescribes and nothing
// PVM-specific, so the same code drives VMX/SVM KVM.
#pragma once

#include <vmm/util/fd.h>

#include <cstdint>
#include <linux/kvm.h>
#include <memory>
#include <string>
#include <vector>

namespace vmm {

class GuestMemory;

class Kvm {
public:
    // Opens /dev/kvm (or `path`). Throws VmmError; error_number() is ENOENT
    // when the device does not exist.
    explicit Kvm(std::string const& path = "/dev/kvm");
    int fd() const { return m_fd.get(); }
    int vcpu_mmap_size() const { return m_vcpu_mmap_size; }
    std::vector<kvm_cpuid_entry2> supported_cpuid() const;

private:
    Fd m_fd;
    int m_vcpu_mmap_size { 0 };
};

class Vcpu;

class Vm {
public:
    explicit Vm(Kvm const& kvm);
    int fd() const { return m_fd.get(); }
    // Must come before create_irqchip(): a memslot change with an in-kernel
    // irqchip costs 4-12 ms on the PVM host.
    void set_memory(GuestMemory const& memory);
    void create_irqchip();
    // KVM_IRQ_LINE: drives input `gsi` of the in-kernel irqchip (IOAPIC and
    // PIC). Any thread may call it.
    void set_irq_line(unsigned gsi, bool level);
    std::unique_ptr<Vcpu> create_vcpu(unsigned id);

private:
    Kvm const& m_kvm;
    Fd m_fd;
};

class Vcpu {
public:
    Vcpu(Kvm const& kvm, int fd, unsigned id);
    ~Vcpu();
    Vcpu(Vcpu const&) = delete;
    Vcpu& operator=(Vcpu const&) = delete;

    unsigned id() const { return m_id; }
    kvm_run* run_state() const { return m_run; }
    // KVM_RUN; returns false on EINTR (a signal or immediate_exit).
    bool run();

    kvm_regs regs() const;
    void set_regs(kvm_regs const&);
    kvm_sregs sregs() const;
    void set_sregs(kvm_sregs const&);
    void set_cpuid(std::vector<kvm_cpuid_entry2> const& entries);

    // Sets 64-bit long mode with the Linux GDT layout (0x10 code, 0x18 data).
    void enter_long_mode(uint64_t cr3, uint64_t gdt_gpa, uint64_t gdt_limit);
    // A multi-line register dump for crash reports.
    std::string describe_state() const;
    // Non-zero counters of KVM_GET_STATS_FD, "name=value ..." (empty if unsupported).
    std::string stats() const;

private:
    int fd() const { return m_fd.get(); }
    Fd m_fd;
    unsigned m_id;
    kvm_run* m_run { nullptr };
    size_t m_run_size { 0 };
};

} // namespace vmm
