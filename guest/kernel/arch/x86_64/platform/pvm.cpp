// The PVM implementation of the platform layer (docs/pvm.md 7.2).
#include <kernel/arch/x86_64/platform/platform.h>

namespace platform {

extern "C" void pvm_deliver_pending(); // trap_entry.S

void pvm_take_pending() {
    // The interrupt returns with if_ = 0 (trap_entry.S): enable and look
    // again, here, rather than nest the next one inside its return.
    do {
        pvm_deliver_pending();
        pvm_vif_page.if_ = 1;
        x86::compiler_barrier();
    } while (pvm_vif_page.pending);
}

namespace pvm_impl {

void idle() {
    pvm_vif_page.if_ = 1;
    x86::compiler_barrier();
    if (pvm_vif_page.pending) {
        pvm_take_pending();
        return;
    }
    // HLT traps; with if_ = 1 and the in-kernel LAPIC the host blocks until
    // an interrupt arrives.
    asm volatile("hlt" ::: "memory");
}

} // namespace pvm_impl
} // namespace platform
