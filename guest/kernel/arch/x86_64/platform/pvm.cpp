// The PVM implementation of the platform layer (docs/pvm.md 7.2).
#include <kernel/arch/x86_64/platform/platform.h>

namespace platform {

void pvm_deliver_pending() {
    // Any trapping instruction lets the host inject the pending interrupt.
    // Never STI: it drives a separate host IF that then disagrees with if_.
    (void)x86::rdmsr(pvm::kMsrInfo);
}

namespace pvm_impl {

void idle() {
    pvm_vif_page.if_ = 1;
    x86::compiler_barrier();
    if (pvm_vif_page.pending) {
        pvm_deliver_pending();
        return;
    }
    // HLT traps; with if_ = 1 and the in-kernel LAPIC the host blocks until
    // an interrupt arrives.
    asm volatile("hlt" ::: "memory");
}

} // namespace pvm_impl
} // namespace platform
