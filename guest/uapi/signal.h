// Signals: numbers, the rt_sigaction(2)/rt_sigprocmask(2) ABI, siginfo_t,
// sigaltstack(2), and the x86-64 signal frame (asm/signal.h,
// asm-generic/signal-defs.h, asm-generic/siginfo.h, asm/sigcontext.h,
// asm-generic/ucontext.h, and arch/x86/include/asm/sigframe.h in the kernel).
//
// The kernel's signal set is 64 bits (kernel_sigset_t). glibc's sigset_t is
// 1024 bits and its struct sigaction differs from the kernel's: libc
// translates, and every syscall passes sigsetsize == 8.
#pragma once

#include <uapi/types.h>

#if defined(SIGCHLD) || defined(SA_RESTART) || defined(SIG_BLOCK) || defined(SI_USER) || defined(SS_ONSTACK)           \
    || defined(MINSIGSTKSZ)
#error "<uapi/signal.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// Signal numbers. 1-31 are the standard signals, SIGRTMIN..SIGRTMAX the
// queued real-time ones. libc reserves the first two or three real-time
// signals for itself and reports a larger SIGRTMIN to programs; the kernel
// does not care.
inline constexpr int SIGHUP = 1;
inline constexpr int SIGINT = 2;
inline constexpr int SIGQUIT = 3;
inline constexpr int SIGILL = 4;
inline constexpr int SIGTRAP = 5;
inline constexpr int SIGABRT = 6;
inline constexpr int SIGIOT = 6;
inline constexpr int SIGBUS = 7;
inline constexpr int SIGFPE = 8;
inline constexpr int SIGKILL = 9;
inline constexpr int SIGUSR1 = 10;
inline constexpr int SIGSEGV = 11;
inline constexpr int SIGUSR2 = 12;
inline constexpr int SIGPIPE = 13;
inline constexpr int SIGALRM = 14;
inline constexpr int SIGTERM = 15;
inline constexpr int SIGSTKFLT = 16;
inline constexpr int SIGCHLD = 17;
inline constexpr int SIGCONT = 18;
inline constexpr int SIGSTOP = 19;
inline constexpr int SIGTSTP = 20;
inline constexpr int SIGTTIN = 21;
inline constexpr int SIGTTOU = 22;
inline constexpr int SIGURG = 23;
inline constexpr int SIGXCPU = 24;
inline constexpr int SIGXFSZ = 25;
inline constexpr int SIGVTALRM = 26;
inline constexpr int SIGPROF = 27;
inline constexpr int SIGWINCH = 28;
inline constexpr int SIGIO = 29;
inline constexpr int SIGPOLL = SIGIO;
inline constexpr int SIGPWR = 30;
inline constexpr int SIGSYS = 31;
inline constexpr int SIGUNUSED = 31;
inline constexpr int SIGRTMIN = 32;
inline constexpr int SIGRTMAX = 64;
// The kernel's _NSIG: signals are 1..kNumSignals.
inline constexpr int kNumSignals = 64;

// rt_sigprocmask(2) and friends: a set of 64 signals, bit (sig - 1).
using kernel_sigset_t = u64;
static_assert(sizeof(kernel_sigset_t) == 8);

constexpr kernel_sigset_t sigset_bit(int sig) { return kernel_sigset_t(1) << (sig - 1); }

inline constexpr int SIG_BLOCK = 0;
inline constexpr int SIG_UNBLOCK = 1;
inline constexpr int SIG_SETMASK = 2;

// sa_handler values that are not addresses.
inline constexpr u64 SIG_DFL = 0;
inline constexpr u64 SIG_IGN = 1;
inline constexpr u64 SIG_ERR = ~u64(0);

// sa_flags.
inline constexpr u64 SA_NOCLDSTOP = 0x00000001;
inline constexpr u64 SA_NOCLDWAIT = 0x00000002;
inline constexpr u64 SA_SIGINFO = 0x00000004;
inline constexpr u64 SA_UNSUPPORTED = 0x00000400;
inline constexpr u64 SA_EXPOSE_TAGBITS = 0x00000800;
// x86-64 has no signal trampoline in the kernel: libc always sets
// SA_RESTORER and passes __restore_rt, which calls rt_sigreturn(2).
inline constexpr u64 SA_RESTORER = 0x04000000;
inline constexpr u64 SA_ONSTACK = 0x08000000;
inline constexpr u64 SA_RESTART = 0x10000000;
inline constexpr u64 SA_NODEFER = 0x40000000;
inline constexpr u64 SA_RESETHAND = 0x80000000;
inline constexpr u64 SA_NOMASK = SA_NODEFER;
inline constexpr u64 SA_ONESHOT = SA_RESETHAND;

// rt_sigaction(2)'s struct: the kernel's x86-64 struct sigaction
// (asm/signal.h), with the mask last. sa_handler holds sa_sigaction's address
// too when SA_SIGINFO is set.
struct kernel_sigaction {
    u64 sa_handler;
    u64 sa_flags;
    u64 sa_restorer;
    kernel_sigset_t sa_mask;
};
static_assert(sizeof(kernel_sigaction) == 32);

// sigaltstack(2).
struct sigaltstack {
    u64 ss_sp;
    i32 ss_flags;
    u32 _pad0;
    u64 ss_size;
};
using stack_t = sigaltstack;
static_assert(sizeof(stack_t) == 24);

inline constexpr int SS_ONSTACK = 1;
inline constexpr int SS_DISABLE = 2;
inline constexpr int SS_AUTODISARM = int(1u << 31);
inline constexpr int SS_FLAG_BITS = SS_AUTODISARM;

// The smallest alternate stack sigaltstack(2) accepts (ENOMEM below it), and
// the customary size. AT_MINSIGSTKSZ tells programs what a frame really needs.
inline constexpr usize MINSIGSTKSZ = 2048;
inline constexpr usize SIGSTKSZ = 8192;

// siginfo_t (asm-generic/siginfo.h): three ints, then a 112-byte union at
// offset 16 whose member depends on the signal and si_code. Always zero the
// whole struct before filling it: it is copied to user space entire.
union sigval {
    i32 sival_int;
    u64 sival_ptr;
};
using sigval_t = sigval;

struct siginfo_kill { // kill(2), tkill(2), SI_USER, SI_TKILL
    pid_t si_pid;
    uid_t si_uid;
};

struct siginfo_timer { // POSIX timers, SI_TIMER
    timer_t si_tid;
    i32 si_overrun;
    sigval si_value;
    i32 si_sys_private; // not for user space; the kernel clears it
};

struct siginfo_rt { // sigqueue(2), SI_QUEUE, mq_notify
    pid_t si_pid;
    uid_t si_uid;
    sigval si_value;
};

struct siginfo_sigchld { // SIGCHLD, CLD_*; also waitid(2)'s result
    pid_t si_pid;
    uid_t si_uid;
    i32 si_status; // the exit code for CLD_EXITED, else the signal number
    u32 _pad0;
    clock_t si_utime;
    clock_t si_stime;
};

struct siginfo_sigfault { // SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGTRAP
    u64 si_addr; // the faulting address (cr2) or instruction
    i16 si_addr_lsb; // BUS_MCEERR_*: log2 of the poisoned extent
};

struct siginfo_sigpoll { // SIGIO/SIGPOLL, POLL_*
    i64 si_band;
    i32 si_fd;
};

struct siginfo_sigsys { // SIGSYS from seccomp
    u64 si_call_addr;
    i32 si_syscall;
    u32 si_arch;
};

struct siginfo_t {
    i32 si_signo;
    i32 si_errno;
    i32 si_code;
    u32 _pad0;
    union {
        u8 _fields[112]; // first, so that `siginfo_t info {}` zeroes all of it
        siginfo_kill kill;
        siginfo_timer timer;
        siginfo_rt rt;
        siginfo_sigchld sigchld;
        siginfo_sigfault sigfault;
        siginfo_sigpoll sigpoll;
        siginfo_sigsys sigsys;
    };
};
static_assert(sizeof(siginfo_t) == 128);
static_assert(offsetof(siginfo_t, kill) == 16);

// si_code values. Zero and below mean "sent by a process"; above zero, "sent
// by the kernel", and then the meaning depends on the signal.
inline constexpr int SI_USER = 0;
inline constexpr int SI_KERNEL = 0x80;
inline constexpr int SI_QUEUE = -1;
inline constexpr int SI_TIMER = -2;
inline constexpr int SI_MESGQ = -3;
inline constexpr int SI_ASYNCIO = -4;
inline constexpr int SI_SIGIO = -5;
inline constexpr int SI_TKILL = -6;
inline constexpr int SI_DETHREAD = -7;
inline constexpr int SI_ASYNCNL = -60;

inline constexpr int ILL_ILLOPC = 1;
inline constexpr int ILL_ILLOPN = 2;
inline constexpr int ILL_ILLADR = 3;
inline constexpr int ILL_ILLTRP = 4;
inline constexpr int ILL_PRVOPC = 5;
inline constexpr int ILL_PRVREG = 6;
inline constexpr int ILL_COPROC = 7;
inline constexpr int ILL_BADSTK = 8;

inline constexpr int FPE_INTDIV = 1;
inline constexpr int FPE_INTOVF = 2;
inline constexpr int FPE_FLTDIV = 3;
inline constexpr int FPE_FLTOVF = 4;
inline constexpr int FPE_FLTUND = 5;
inline constexpr int FPE_FLTRES = 6;
inline constexpr int FPE_FLTINV = 7;
inline constexpr int FPE_FLTSUB = 8;

inline constexpr int SEGV_MAPERR = 1; // no mapping at the address
inline constexpr int SEGV_ACCERR = 2; // a mapping, without the permission
inline constexpr int SEGV_BNDERR = 3;
inline constexpr int SEGV_PKUERR = 4;

inline constexpr int BUS_ADRALN = 1;
inline constexpr int BUS_ADRERR = 2; // e.g. a mapping past the end of its file
inline constexpr int BUS_OBJERR = 3;
inline constexpr int BUS_MCEERR_AR = 4;
inline constexpr int BUS_MCEERR_AO = 5;

inline constexpr int TRAP_BRKPT = 1;
inline constexpr int TRAP_TRACE = 2;
inline constexpr int TRAP_BRANCH = 3;
inline constexpr int TRAP_HWBKPT = 4;
inline constexpr int TRAP_UNK = 5;

inline constexpr int CLD_EXITED = 1;
inline constexpr int CLD_KILLED = 2;
inline constexpr int CLD_DUMPED = 3;
inline constexpr int CLD_TRAPPED = 4;
inline constexpr int CLD_STOPPED = 5;
inline constexpr int CLD_CONTINUED = 6;

inline constexpr int POLL_IN = 1;
inline constexpr int POLL_OUT = 2;
inline constexpr int POLL_MSG = 3;
inline constexpr int POLL_ERR = 4;
inline constexpr int POLL_PRI = 5;
inline constexpr int POLL_HUP = 6;

inline constexpr int SYS_SECCOMP = 1;

// timer_create(2)'s notification.
struct sigevent {
    sigval sigev_value;
    i32 sigev_signo;
    i32 sigev_notify;
    union {
        i32 _pad[12];
        pid_t sigev_notify_thread_id; // SIGEV_THREAD_ID
    };
};
static_assert(sizeof(sigevent) == 64);

inline constexpr int SIGEV_SIGNAL = 0;
inline constexpr int SIGEV_NONE = 1;
inline constexpr int SIGEV_THREAD = 2;
inline constexpr int SIGEV_THREAD_ID = 4;

// The FXSAVE image (asm/sigcontext.h's struct _fpstate_64): 512 bytes. The
// FXSAVE instruction needs it 16-byte aligned, XSAVE 64-byte aligned.
// Bytes 464..511 are free for software: there Linux says whether an XSAVE
// area follows (sw_reserved.magic1 == FP_XSTATE_MAGIC1) or not (0).
struct _fpx_sw_bytes {
    u32 magic1; // FP_XSTATE_MAGIC1, or 0 for a plain FXSAVE frame
    u32 extended_size; // the whole area, including the FP_XSTATE_MAGIC2 word at its end
    u64 xfeatures; // the XSAVE features present in the area
    u32 xstate_size; // the XSAVE image alone
    u32 padding[7];
};
static_assert(sizeof(_fpx_sw_bytes) == 48);

inline constexpr u32 FP_XSTATE_MAGIC1 = 0x46505853u;
inline constexpr u32 FP_XSTATE_MAGIC2 = 0x46505845u;

struct _fpstate {
    u16 cwd;
    u16 swd;
    u16 twd; // the abridged FXSAVE tag word
    u16 fop;
    u64 rip;
    u64 rdp;
    u32 mxcsr;
    u32 mxcsr_mask;
    u32 st_space[32]; // 8 x87 registers, 16 bytes each
    u32 xmm_space[64]; // 16 XMM registers, 16 bytes each
    u32 reserved2[12];
    union {
        u32 reserved3[12];
        _fpx_sw_bytes sw_reserved;
    };
};
static_assert(sizeof(_fpstate) == 512);

// The registers of a signal frame (asm/sigcontext.h, x86-64 struct
// sigcontext). glibc's mcontext_t is the same bytes as gregs[23], fpregs and
// 8 reserved words; REG_R8 is index 0 and REG_CR2 index 22.
struct sigcontext {
    u64 r8;
    u64 r9;
    u64 r10;
    u64 r11;
    u64 r12;
    u64 r13;
    u64 r14;
    u64 r15;
    u64 rdi;
    u64 rsi;
    u64 rbp;
    u64 rbx;
    u64 rdx;
    u64 rax;
    u64 rcx;
    u64 rsp;
    u64 rip;
    u64 eflags;
    u16 cs;
    u16 gs; // never saved or restored: FS and GS bases are not part of the frame
    u16 fs;
    u16 ss; // meaningful when uc_flags has UC_SIGCONTEXT_SS
    u64 err;
    u64 trapno;
    u64 oldmask; // unused on x86-64: the mask is uc_sigmask
    u64 cr2;
    // The user address of the saved FPU state (an _fpstate, possibly the
    // start of a larger XSAVE area), or 0 when there is none.
    // rt_sigreturn(2) restores the FPU from whatever this points at then.
    u64 fpstate;
    u64 reserved1[8];
};
static_assert(sizeof(sigcontext) == 256);

// uc_flags bits (asm/ucontext.h).
inline constexpr u64 UC_FP_XSTATE = 0x1;
inline constexpr u64 UC_SIGCONTEXT_SS = 0x2;
inline constexpr u64 UC_STRICT_RESTORE_SS = 0x4;

// The kernel's struct ucontext (asm-generic/ucontext.h), with the 8-byte
// kernel mask. glibc's and musl's ucontext_t are longer, but begin with the
// same bytes.
struct ucontext {
    u64 uc_flags;
    u64 uc_link; // a user address; always 0 from the kernel
    stack_t uc_stack;
    sigcontext uc_mcontext;
    kernel_sigset_t uc_sigmask;
};
static_assert(sizeof(ucontext) == 304);

// The frame the kernel pushes on the user stack to run a handler (the
// kernel's x86-64 struct rt_sigframe in arch/x86/include/asm/sigframe.h).
// Delivery, as Linux does it:
//  - start at the interrupted rsp minus the 128-byte red zone, or at the top
//    of the alternate stack (ss_sp + ss_size) for an SA_ONSTACK handler that
//    is not already on it;
//  - reserve the FPU area below that, aligned down to 64 bytes: an _fpstate
//    (FXSAVE, sw_reserved.magic1 = 0) or an XSAVE area (magic1 =
//    FP_XSTATE_MAGIC1, followed by the FP_XSTATE_MAGIC2 word, and
//    UC_FP_XSTATE in uc_flags); uc_mcontext.fpstate holds its address;
//  - put the rt_sigframe below that, at an address that is 8 mod 16, as if a
//    call had pushed pretcode: rsp = &frame;
//  - pretcode = sa_restorer (without SA_RESTORER there is no way back, and
//    Linux kills the task with SIGSEGV);
//  - enter the handler with rdi = signal, rsi = &frame->info,
//    rdx = &frame->uc, rax = 0, rip = sa_handler, DF, TF and RF clear in
//    rflags, and the FPU reset to its initial state.
// The handler's ret pops pretcode, so rt_sigreturn(2) finds the frame at
// rsp - 8 and restores uc_mcontext, uc_sigmask, uc_stack and the FPU area.
// Unwinders (libgcc, gdb) likewise expect uc at the restorer's rsp, so none
// of these offsets may change.
struct rt_sigframe {
    u64 pretcode;
    ucontext uc;
    siginfo_t info;
};
static_assert(offsetof(rt_sigframe, uc) == 8);
static_assert(offsetof(rt_sigframe, info) == 312);
static_assert(sizeof(rt_sigframe) == 440);

} // namespace uapi
