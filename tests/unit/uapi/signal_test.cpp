// uapi/signal.h against glibc's <signal.h> and <sys/ucontext.h> (glibc's
// siginfo_t, stack_t and sigevent are the kernel's; its ucontext_t begins
// with the kernel's struct ucontext) and, through signal_kernel.cpp, the
// kernel's <linux/signal.h>, <asm/sigcontext.h> and <asm/ucontext.h>.
#include <uapi/signal.h>

#include "abi_facts.h"
#include "signal_names.h"

UAPI_RECORD_SIGNAL_COMMON()
UAPI_RECORD_CONSTANT(SIG_DFL)
UAPI_RECORD_CONSTANT(SIG_IGN)
UAPI_RECORD_CONSTANT(SIG_ERR)

// The registers of uc_mcontext, as glibc's gregs[REG_*] names them.
// clang-format off
#define UAPI_GREGS(X)                                                                                                  \
    X(r8, R8)                                                                                                          \
    X(r9, R9)                                                                                                          \
    X(r10, R10)                                                                                                        \
    X(r11, R11)                                                                                                        \
    X(r12, R12)                                                                                                        \
    X(r13, R13)                                                                                                        \
    X(r14, R14)                                                                                                        \
    X(r15, R15)                                                                                                        \
    X(rdi, RDI)                                                                                                        \
    X(rsi, RSI)                                                                                                        \
    X(rbp, RBP)                                                                                                        \
    X(rbx, RBX)                                                                                                        \
    X(rdx, RDX)                                                                                                        \
    X(rax, RAX)                                                                                                        \
    X(rcx, RCX)                                                                                                        \
    X(rsp, RSP)                                                                                                        \
    X(rip, RIP)                                                                                                        \
    X(eflags, EFL)                                                                                                     \
    X(err, ERR)                                                                                                        \
    X(trapno, TRAPNO)                                                                                                  \
    X(oldmask, OLDMASK)                                                                                                \
    X(cr2, CR2)
#define UAPI_RECORD_GREG(reg, glibc_reg) UAPI_RECORD_MEMBER(ucontext_layout, reg, uapi::ucontext, uc_mcontext.reg)
#define UAPI_FACT_GREG(reg, glibc_reg)                                                                                 \
    UAPI_FACT_MEMBER(ucontext_layout, reg, ucontext_t, uc_mcontext.gregs[REG_##glibc_reg])
// clang-format on

UAPI_RECORD_MEMBER(siginfo_layout, glibc_timer_value, uapi::siginfo_t, timer.si_value)
UAPI_RECORD_FIELD(ucontext_layout, uapi::ucontext, uc_flags)
UAPI_RECORD_FIELD(ucontext_layout, uapi::ucontext, uc_link)
UAPI_RECORD_FIELD(ucontext_layout, uapi::ucontext, uc_stack)
UAPI_RECORD_FIELD(ucontext_layout, uapi::ucontext, uc_mcontext)
UAPI_RECORD_FIELD(ucontext_layout, uapi::ucontext, uc_sigmask)
UAPI_GREGS(UAPI_RECORD_GREG)
UAPI_RECORD_MEMBER(ucontext_layout, segments, uapi::ucontext, uc_mcontext.cs)
UAPI_RECORD_MEMBER(ucontext_layout, fpstate, uapi::ucontext, uc_mcontext.fpstate)

namespace {
constexpr u64 kSigsetBits[] = { uapi::sigset_bit(1), uapi::sigset_bit(uapi::SIGCHLD), uapi::sigset_bit(31),
    uapi::sigset_bit(34), uapi::sigset_bit(64) };
}

#include <signal.h>
#include <sys/ucontext.h>

#include "expect_facts.h"

namespace uapi_test {
Facts signal_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_SIGNAL_COMMON_FACTS()
    UAPI_FACT_MEMBER(siginfo_layout, timer_tid, siginfo_t, si_timerid)
    UAPI_FACT_MEMBER(siginfo_layout, glibc_timer_value, siginfo_t, _sifields._timer.si_sigval)
    // glibc 2.36 has no sigev_notify_thread_id accessor.
    UAPI_FACT_MEMBER(sigevent_layout, thread_id, sigevent_t, _sigev_un._tid)
    UAPI_FACT_FIELD(ucontext_layout, ucontext_t, uc_flags)
    UAPI_FACT_FIELD(ucontext_layout, ucontext_t, uc_link)
    UAPI_FACT_FIELD(ucontext_layout, ucontext_t, uc_stack)
    UAPI_FACT_FIELD(ucontext_layout, ucontext_t, uc_mcontext)
    // glibc's sigset_t is 128 bytes; the kernel writes the first 8.
    UAPI_FACT_OFFSET(ucontext_layout, uc_sigmask, ucontext_t, uc_sigmask)
    UAPI_GREGS(UAPI_FACT_GREG)
    // glibc keeps cs, gs, fs and ss in one greg.
    UAPI_FACT_OFFSET(ucontext_layout, segments, ucontext_t, uc_mcontext.gregs[REG_CSGSFS])
    UAPI_FACT_MEMBER(ucontext_layout, fpstate, ucontext_t, uc_mcontext.fpregs)
};
// clang-format on

TEST(UapiSignal, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiSignal, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::signal_kernel_facts()); }

TEST(UapiSignal, HandlerSpecials) {
    EXPECT_EQ(ours_SIG_DFL, reinterpret_cast<u64>(SIG_DFL));
    EXPECT_EQ(ours_SIG_IGN, reinterpret_cast<u64>(SIG_IGN));
    EXPECT_EQ(ours_SIG_ERR, reinterpret_cast<u64>(SIG_ERR));
}

// The kernel's 64-bit set is the first word of glibc's sigset_t, bit sig - 1.
// (glibc's sigaddset refuses 32 and 33, which it keeps for itself.)
TEST(UapiSignal, SigsetBitsMatchGlibc) {
    int const signals[] = { 1, SIGCHLD, 31, 34, 64 };
    for (size_t i = 0; i < sizeof(signals) / sizeof(signals[0]); ++i) {
        sigset_t set;
        sigemptyset(&set);
        ASSERT_EQ(sigaddset(&set, signals[i]), 0);
        u64 first_word;
        memcpy(&first_word, &set, sizeof(first_word));
        EXPECT_EQ(kSigsetBits[i], first_word) << "signal " << signals[i];
    }
}

} // namespace
