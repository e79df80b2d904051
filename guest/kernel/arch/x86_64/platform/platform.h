// The platform layer: the few operations that differ between running under
// this host's PVM (kernel in hardware ring 3, docs/pvm.md) and running
// natively (VMX/SVM KVM, QEMU TCG). Everything above it is shared.
//
// entry.S detects the platform in its first instructions and sets
// g_platform_pvm; the inline operations branch on it (a predictable branch
// is cheaper than an indirect call on these paths). The return to user mode
// and to interrupted kernel code live in arch/x86_64/trap_entry.S.
#pragma once

#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/platform/pvm.h>
#include <lib/types.h>

extern "C" u8 g_platform_pvm;

namespace platform {

ALWAYS_INLINE bool is_pvm() { return g_platform_pvm != 0; }
char const* name();

// Called once, first thing in C++, before anything else of the platform.
void init_early();
// Called after the CPU tables exist: per-CPU setup and self-tests.
void init_cpu();
// aramid.pvm_return=sysret: use SYSRETQ even where the fast gate works
// (so that the fallback stays tested). Call before init_cpu().
void force_sysret_return(bool force);

// --- interrupt flag -------------------------------------------------------
// Under PVM a pending interrupt is injected by the host only at a trapping
// instruction once if_ is set again (docs/pvm.md 3.3). With if_ = 1 and an
// interrupt pending: takes it (and any that follow), returns with if_ = 1.
void pvm_take_pending();

ALWAYS_INLINE void irq_disable() {
    if (is_pvm()) pvm_vif_page.if_ = 0;
    else asm volatile("cli");
    x86::compiler_barrier();
}
ALWAYS_INLINE void irq_enable() {
    x86::compiler_barrier();
    if (is_pvm()) {
        pvm_vif_page.if_ = 1;
        x86::compiler_barrier();
        if (pvm_vif_page.pending) [[unlikely]]
            pvm_take_pending();
    } else {
        asm volatile("sti");
    }
}
ALWAYS_INLINE bool irq_enabled() {
    if (is_pvm()) return pvm_vif_page.if_ != 0;
    return (x86::read_rflags() & x86::kRflagsIf) != 0;
}
// Disables interrupts and returns whether they were enabled.
ALWAYS_INLINE bool irq_save() {
    bool was = irq_enabled();
    irq_disable();
    return was;
}
ALWAYS_INLINE void irq_restore(bool was_enabled) {
    if (was_enabled) irq_enable();
}

// Enables interrupts and waits for one. Returns with interrupts enabled.
void idle();

// The faulting address of the last #PF (CR2).
ALWAYS_INLINE u64 fault_address() { return is_pvm() ? pvm_vif_page.cr2 : x86::read_cr2(); }

// The U bit every kernel mapping needs: under PVM the kernel runs in ring 3.
ALWAYS_INLINE u64 kernel_pte_flags() { return is_pvm() ? 4 : 0; }

// Whether the PVM fast return gate (int $0x19) is armed; probed at boot by
// reading back MSR_PVM_VIF (the gate needs flag bits 2 and 3 to stick).
bool fast_return_available();

// PVM: the user-mapped return trampoline (trap_entry.S) and its address.
bool in_return_trampoline(u64 rip);
// Replaces a user frame that was interrupted inside the trampoline by the
// context the trampoline was restoring.
void normalize_trampoline_frame(u64& rip, u64& rcx, u64& r11);
u64 trampoline_frame(); // the physical frame to map at PVM_TRAMPOLINE_VA

// Stops the VM with an abi::exit_word. Never returns.
[[noreturn]] void exit_vm(u32 word);

} // namespace platform
