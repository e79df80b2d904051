#include <kernel/arch/x86_64/platform/platform.h>
#include <proto/vm_abi.h>

static_assert(aramid::abi::kPortPhase == PORT_PHASE);
static_assert(u32(aramid::abi::Phase::FirstInstruction) == PHASE_FIRST_INSTRUCTION);
static_assert(sizeof(pvm::Vif) == 16);

u8 g_platform_pvm; // written by entry.S before any C++ runs
extern "C" u8 g_pvm_fast_return;
u8 g_pvm_fast_return; // read by trap_entry.S
extern "C" char pvm_trampoline_page[], pvm_trampoline_end[];
static bool g_force_sysret;

namespace platform {

char const* name() { return is_pvm() ? "pvm" : "native"; }

void exit_vm(u32 word) {
    irq_disable();
    x86::out32(aramid::abi::kPortExit, word);
    // QEMU's isa-debug-exit and aramid-vmm stop at the write; anything else
    // ends up here.
    for (;;) asm volatile("hlt");
}

} // namespace platform

namespace platform {
namespace pvm_impl {
void idle();
}
namespace native_impl {
void idle();
}

void init_early() { }

void init_cpu() {
    if (!is_pvm()) return;
    // bit 2 (SYSCALL pre-flip) and bit 3 (ds_iret) arm the fast gate.
    u64 const vif = x86::rdmsr(pvm::kMsrVif);
    g_pvm_fast_return = (vif & 0x0c) == 0x0c && !g_force_sysret;
}

void force_sysret_return(bool force) { g_force_sysret = force; }

bool in_return_trampoline(u64 rip) {
    return rip >= PVM_TRAMPOLINE_VA && rip < PVM_TRAMPOLINE_VA + u64(pvm_trampoline_end - pvm_trampoline_page);
}

void normalize_trampoline_frame(u64& rip, u64& rcx, u64& r11) {
    auto const* block = reinterpret_cast<u64 const*>(pvm_trampoline_page + PVM_TRAMPOLINE_RCX);
    rcx = block[0];
    r11 = block[1];
    rip = block[2];
}

u64 trampoline_frame() { return u64(pvm_trampoline_page) - KERNEL_VMA; }

void idle() {
    if (is_pvm()) pvm_impl::idle();
    else native_impl::idle();
}

bool fast_return_available() { return g_pvm_fast_return; }

} // namespace platform
