#include <kernel/arch/x86_64/platform/platform.h>
#include <proto/vm_abi.h>

static_assert(aramid::abi::kPortPhase == PORT_PHASE);
static_assert(u32(aramid::abi::Phase::FirstInstruction) == PHASE_FIRST_INSTRUCTION);
static_assert(sizeof(pvm::Vif) == 16);

u8 g_platform_pvm; // written by entry.S before any C++ runs

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
void init_cpu() { }

void idle() {
    if (is_pvm()) pvm_impl::idle();
    else native_impl::idle();
}

bool fast_return_available() { return false; }

} // namespace platform
