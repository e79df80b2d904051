// uapi/signal.h against the kernel's <linux/signal.h> (asm/signal.h,
// asm-generic/signal-defs.h, asm-generic/siginfo.h), <asm/sigcontext.h> and
// <asm/ucontext.h>. No GoogleTest here (abi_facts.h).
#include <uapi/signal.h>

#include "abi_facts.h"
#include "signal_names.h"

// clang-format off
#define UAPI_KERNEL_SIGNAL_CONSTANTS(X)                                                                                \
    X(SIGUNUSED) X(SIGRTMIN) X(SA_UNSUPPORTED) X(SA_EXPOSE_TAGBITS) X(SA_RESTORER) X(SS_AUTODISARM) X(SS_FLAG_BITS)    \
    X(MINSIGSTKSZ) X(SIGSTKSZ) X(FP_XSTATE_MAGIC1) X(FP_XSTATE_MAGIC2) X(UC_FP_XSTATE) X(UC_SIGCONTEXT_SS)             \
    X(UC_STRICT_RESTORE_SS) X(SYS_SECCOMP)

#define UAPI_SIGACTION_FIELDS(X, ns, T) X(ns, T, sa_handler) X(ns, T, sa_flags) X(ns, T, sa_restorer) X(ns, T, sa_mask)

#define UAPI_FPX_SW_BYTES_FIELDS(X, ns, T)                                                                             \
    X(ns, T, magic1) X(ns, T, extended_size) X(ns, T, xfeatures) X(ns, T, xstate_size) X(ns, T, padding)

#define UAPI_FPSTATE_FIELDS(X, ns, T)                                                                                  \
    X(ns, T, cwd) X(ns, T, swd) X(ns, T, twd) X(ns, T, fop) X(ns, T, rip) X(ns, T, rdp) X(ns, T, mxcsr)                \
    X(ns, T, mxcsr_mask) X(ns, T, st_space) X(ns, T, xmm_space) X(ns, T, reserved2) X(ns, T, reserved3)                \
    X(ns, T, sw_reserved)

#define UAPI_SIGCONTEXT_FIELDS(X, ns, T)                                                                               \
    X(ns, T, r8) X(ns, T, r9) X(ns, T, r10) X(ns, T, r11) X(ns, T, r12) X(ns, T, r13) X(ns, T, r14) X(ns, T, r15)      \
    X(ns, T, rdi) X(ns, T, rsi) X(ns, T, rbp) X(ns, T, rbx) X(ns, T, rdx) X(ns, T, rax) X(ns, T, rcx) X(ns, T, rsp)    \
    X(ns, T, rip) X(ns, T, eflags) X(ns, T, cs) X(ns, T, gs) X(ns, T, fs) X(ns, T, ss) X(ns, T, err)                   \
    X(ns, T, trapno) X(ns, T, oldmask) X(ns, T, cr2) X(ns, T, fpstate) X(ns, T, reserved1)

#define UAPI_UCONTEXT_FIELDS(X, ns, T)                                                                                 \
    X(ns, T, uc_flags) X(ns, T, uc_link) X(ns, T, uc_stack) X(ns, T, uc_mcontext) X(ns, T, uc_sigmask)
// clang-format on

UAPI_RECORD_SIGNAL_COMMON()
UAPI_KERNEL_SIGNAL_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(SIGRTMAX)
UAPI_RECORD_CONSTANT(kNumSignals)
UAPI_RECORD_MEMBER(siginfo_layout, timer_sys_private, uapi::siginfo_t, timer.si_sys_private)
UAPI_RECORD_TYPE(sigaction_layout, uapi::kernel_sigaction)
UAPI_SIGACTION_FIELDS(UAPI_RECORD_FIELD, sigaction_layout, uapi::kernel_sigaction)
UAPI_RECORD_TYPE(sigset_layout, uapi::kernel_sigset_t)
UAPI_RECORD_TYPE(fpx_sw_bytes_layout, uapi::_fpx_sw_bytes)
UAPI_FPX_SW_BYTES_FIELDS(UAPI_RECORD_FIELD, fpx_sw_bytes_layout, uapi::_fpx_sw_bytes)
UAPI_RECORD_TYPE(fpstate_layout, uapi::_fpstate)
UAPI_FPSTATE_FIELDS(UAPI_RECORD_FIELD, fpstate_layout, uapi::_fpstate)
UAPI_RECORD_TYPE(sigcontext_layout, uapi::sigcontext)
UAPI_SIGCONTEXT_FIELDS(UAPI_RECORD_FIELD, sigcontext_layout, uapi::sigcontext)
UAPI_RECORD_TYPE(ucontext_layout, uapi::ucontext)
UAPI_UCONTEXT_FIELDS(UAPI_RECORD_FIELD, ucontext_layout, uapi::ucontext)

#include <asm/sigcontext.h>
#include <linux/signal.h>
// asm-generic/ucontext.h, which asm/ucontext.h includes, uses stack_t, struct
// sigcontext and sigset_t without including their headers.
#include <asm/ucontext.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_SIGNAL_COMMON_FACTS()
    UAPI_KERNEL_SIGNAL_CONSTANTS(UAPI_FACT_CONSTANT)
    // asm/signal.h defines SIGRTMAX as _NSIG, which only the kernel's own
    // asm/signal.h defines (64 for x86).
    UAPI_FACT_VALUE(SIGRTMAX, 64)
    UAPI_FACT_VALUE(kNumSignals, 64)
    UAPI_FACT_MEMBER(siginfo_layout, timer_tid, siginfo_t, si_tid)
    UAPI_FACT_MEMBER(siginfo_layout, timer_value, siginfo_t, _sifields._timer._sigval)
    UAPI_FACT_MEMBER(siginfo_layout, timer_sys_private, siginfo_t, si_sys_private)
    UAPI_FACT_MEMBER(sigevent_layout, thread_id, sigevent_t, sigev_notify_thread_id)
    UAPI_FACT_TYPE(sigaction_layout, struct sigaction)
    UAPI_SIGACTION_FIELDS(UAPI_FACT_FIELD, sigaction_layout, struct sigaction)
    UAPI_FACT_TYPE(sigset_layout, sigset_t)
    UAPI_FACT_TYPE(fpx_sw_bytes_layout, struct _fpx_sw_bytes)
    UAPI_FPX_SW_BYTES_FIELDS(UAPI_FACT_FIELD, fpx_sw_bytes_layout, struct _fpx_sw_bytes)
    UAPI_FACT_TYPE(fpstate_layout, struct _fpstate_64)
    UAPI_FPSTATE_FIELDS(UAPI_FACT_FIELD, fpstate_layout, struct _fpstate_64)
    UAPI_FACT_TYPE(sigcontext_layout, struct sigcontext)
    UAPI_SIGCONTEXT_FIELDS(UAPI_FACT_FIELD, sigcontext_layout, struct sigcontext)
    UAPI_FACT_TYPE(ucontext_layout, struct ucontext)
    UAPI_UCONTEXT_FIELDS(UAPI_FACT_FIELD, ucontext_layout, struct ucontext)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts signal_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
