#include <vmm/kvm/guest_memory.h>
#include <vmm/kvm/kvm.h>
#include <vmm/kvm/kvm_abi.h>
#include <vmm/util/error.h>

#include <cerrno>
#include <cinttypes>
#include <cstdio>
#include <fcntl.h>
#include <sys/ioctl.h>
#include <sys/mman.h>

namespace vmm {

Kvm::Kvm(std::string const& path) {
    int fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ENOENT) throw VmmError("no usable " + path + ": it does not exist (ENOENT)", e);
        throw VmmError("no usable " + path + ": " + std::strerror(e), e);
    }
    m_fd = Fd(fd);
    int version = ioctl(fd, KVM_GET_API_VERSION, 0);
    if (version < 0) {
        int e = errno;
        throw VmmError("no usable " + path + ": not a KVM device (KVM_GET_API_VERSION: " + std::strerror(e) + ")", e);
    }
    if (version != KVM_API_VERSION)
        throw VmmError("no usable " + path + ": KVM API version " + std::to_string(version) + ", expected "
                       + std::to_string(KVM_API_VERSION));
    m_vcpu_mmap_size = ioctl(fd, KVM_GET_VCPU_MMAP_SIZE, 0);
    if (m_vcpu_mmap_size <= 0) throw_errno("KVM_GET_VCPU_MMAP_SIZE");
}

std::vector<kvm_cpuid_entry2> Kvm::supported_cpuid() const {
    auto cpuid = std::make_unique<kvm_abi::Cpuid<256>>();
    cpuid->header.nent = 256;
    if (ioctl(fd(), kvm_abi::kGetSupportedCpuid, cpuid.get()) < 0) throw_errno("KVM_GET_SUPPORTED_CPUID");
    return { cpuid->entries, cpuid->entries + cpuid->header.nent };
}

Vm::Vm(Kvm const& kvm) : m_kvm(kvm) {
    int fd = ioctl(kvm.fd(), KVM_CREATE_VM, 0);
    if (fd < 0) throw_errno("KVM_CREATE_VM");
    m_fd = Fd(fd);
}

void Vm::set_memory(GuestMemory const& memory) {
    kvm_userspace_memory_region region {};
    region.slot = 0;
    region.guest_phys_addr = 0;
    region.memory_size = memory.size();
    region.userspace_addr = reinterpret_cast<uint64_t>(memory.host_base());
    if (ioctl(fd(), KVM_SET_USER_MEMORY_REGION, &region) < 0) throw_errno("KVM_SET_USER_MEMORY_REGION");
}

void Vm::create_irqchip() {
    // The TSS address only matters on Intel without unrestricted guests;
    // harmless elsewhere. Just below the IOAPIC, as QEMU and Firecracker do.
    ioctl(fd(), KVM_SET_TSS_ADDR, 0xfffbd000ul);
    if (ioctl(fd(), KVM_CREATE_IRQCHIP, 0) < 0) throw_errno("KVM_CREATE_IRQCHIP");
}

void Vm::set_irq_line(unsigned gsi, bool level) {
    kvm_irq_level line {};
    line.irq = gsi;
    line.level = level ? 1 : 0;
    if (ioctl(fd(), KVM_IRQ_LINE, &line) < 0) throw_errno("KVM_IRQ_LINE " + std::to_string(gsi));
}

std::unique_ptr<Vcpu> Vm::create_vcpu(unsigned id) {
    int fd = ioctl(this->fd(), KVM_CREATE_VCPU, id);
    if (fd < 0) throw_errno("KVM_CREATE_VCPU");
    return std::make_unique<Vcpu>(m_kvm, fd, id);
}

Vcpu::Vcpu(Kvm const& kvm, int fd, unsigned id) : m_fd(fd), m_id(id) {
    m_run_size = size_t(kvm.vcpu_mmap_size());
    void* p = mmap(nullptr, m_run_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) throw_errno("mmap of the vCPU run area");
    m_run = static_cast<kvm_run*>(p);
}

Vcpu::~Vcpu() {
    if (m_run) munmap(m_run, m_run_size);
}

bool Vcpu::run() {
    if (ioctl(fd(), KVM_RUN, 0) == 0) return true;
    if (errno == EINTR || errno == EAGAIN) return false;
    throw_errno("KVM_RUN");
}

kvm_regs Vcpu::regs() const {
    kvm_regs r {};
    if (ioctl(fd(), KVM_GET_REGS, &r) < 0) throw_errno("KVM_GET_REGS");
    return r;
}
void Vcpu::set_regs(kvm_regs const& r) {
    if (ioctl(fd(), KVM_SET_REGS, &r) < 0) throw_errno("KVM_SET_REGS");
}
kvm_sregs Vcpu::sregs() const {
    kvm_sregs s {};
    if (ioctl(fd(), KVM_GET_SREGS, &s) < 0) throw_errno("KVM_GET_SREGS");
    return s;
}
void Vcpu::set_sregs(kvm_sregs const& s) {
    if (ioctl(fd(), KVM_SET_SREGS, &s) < 0) throw_errno("KVM_SET_SREGS");
}

void Vcpu::set_cpuid(std::vector<kvm_cpuid_entry2> const& entries) {
    auto cpuid = std::make_unique<kvm_abi::Cpuid<256>>();
    if (entries.size() > 256) throw VmmError("too many CPUID entries");
    cpuid->header.nent = uint32_t(entries.size());
    std::copy(entries.begin(), entries.end(), cpuid->entries);
    if (ioctl(fd(), kvm_abi::kSetCpuid2, cpuid.get()) < 0) throw_errno("KVM_SET_CPUID2");
}

void Vcpu::enter_long_mode(uint64_t cr3, uint64_t gdt_gpa, uint64_t gdt_limit) {
    kvm_sregs s = sregs();
    kvm_segment code {};
    code.base = 0;
    code.limit = 0xffffffff;
    code.selector = 0x10;
    code.type = 11; // execute/read, accessed
    code.present = 1;
    code.dpl = 0;
    code.s = 1;
    code.l = 1;
    code.g = 1;
    kvm_segment data = code;
    data.selector = 0x18;
    data.type = 3; // read/write, accessed
    data.l = 0;
    data.db = 1;
    s.cs = code;
    s.ds = s.es = s.fs = s.gs = s.ss = data;
    s.gdt.base = gdt_gpa;
    s.gdt.limit = uint16_t(gdt_limit);
    s.cr3 = cr3;
    s.cr4 = 0x620;      // PAE | OSFXSR | OSXMMEXCPT
    s.cr0 = 0x80050033; // PG | AM | WP | NE | ET | MP | PE
    s.efer = 0xd01;     // NXE | LMA | LME | SCE
    set_sregs(s);
}

std::string Vcpu::describe_state() const {
    kvm_regs r = regs();
    kvm_sregs s = sregs();
    char text[1024];
    std::snprintf(text, sizeof(text),
                  "  rip=%016llx rsp=%016llx rflags=%08llx\n"
                  "  rax=%016llx rbx=%016llx rcx=%016llx rdx=%016llx\n"
                  "  rsi=%016llx rdi=%016llx rbp=%016llx r8 =%016llx\n"
                  "  r9 =%016llx r10=%016llx r11=%016llx r12=%016llx\n"
                  "  r13=%016llx r14=%016llx r15=%016llx\n"
                  "  cs=%04x ss=%04x cr0=%016llx cr2=%016llx cr3=%016llx cr4=%016llx efer=%llx\n",
                  r.rip, r.rsp, r.rflags, r.rax, r.rbx, r.rcx, r.rdx, r.rsi, r.rdi, r.rbp, r.r8, r.r9, r.r10,
                  r.r11, r.r12, r.r13, r.r14, r.r15, s.cs.selector, s.ss.selector, s.cr0, s.cr2, s.cr3, s.cr4,
                  s.efer);
    return text;
}

std::string Vcpu::stats() const {
    int sfd = ioctl(fd(), KVM_GET_STATS_FD, nullptr);
    if (sfd < 0) return {};
    Fd stats_fd(sfd);
    kvm_stats_header header {};
    if (pread(sfd, &header, sizeof(header), 0) != ssize_t(sizeof(header))) return {};
    size_t const desc_size = sizeof(kvm_stats_desc) + header.name_size;
    std::vector<uint8_t> desc_buffer(desc_size);
    auto* desc = reinterpret_cast<kvm_stats_desc*>(desc_buffer.data());
    std::string out;
    for (uint32_t i = 0; i < header.num_desc; i++) {
        if (pread(sfd, desc, desc_size, off_t(header.desc_offset + i * desc_size)) != ssize_t(desc_size)) break;
        if (desc->size != 1) continue;
        uint64_t value = 0;
        if (pread(sfd, &value, 8, off_t(header.data_offset + desc->offset)) == 8 && value) {
            if (!out.empty()) out += ' ';
            out += std::string(desc->name) + "=" + std::to_string(value);
        }
    }
    return out;
}

} // namespace vmm
