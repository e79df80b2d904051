// Signals: per-process dispositions (shared with CLONE_SIGHAND), pending
// sets per thread and per process, and delivery on the way back to user
// mode (an rt_sigframe on the user stack, or the alternate stack).
#pragma once

#include <kernel/arch/x86_64/trap_frame.h>
#include <lib/ref_ptr.h>
#include <lib/result.h>

class Thread;
class Process;

namespace signals {

inline constexpr int kCount = 64; // 1..64
inline constexpr int SIGHUP = 1, SIGINT = 2, SIGQUIT = 3, SIGILL = 4, SIGTRAP = 5, SIGABRT = 6, SIGBUS = 7,
                     SIGFPE = 8, SIGKILL = 9, SIGUSR1 = 10, SIGSEGV = 11, SIGUSR2 = 12, SIGPIPE = 13,
                     SIGALRM = 14, SIGTERM = 15, SIGSTKFLT = 16, SIGCHLD = 17, SIGCONT = 18, SIGSTOP = 19,
                     SIGTSTP = 20, SIGTTIN = 21, SIGTTOU = 22, SIGURG = 23, SIGXCPU = 24, SIGXFSZ = 25,
                     SIGVTALRM = 26, SIGPROF = 27, SIGWINCH = 28, SIGIO = 29, SIGPWR = 30, SIGSYS = 31;

inline constexpr u64 bit(int signal) { return 1ull << (signal - 1); }
// SIGKILL and SIGSTOP cannot be blocked, caught or ignored.
inline constexpr u64 kUnblockable = bit(SIGKILL) | bit(SIGSTOP);

inline constexpr u64 kHandlerDefault = 0;
inline constexpr u64 kHandlerIgnore = 1;

// sa_flags
inline constexpr u64 SA_NOCLDSTOP = 1, SA_NOCLDWAIT = 2, SA_SIGINFO = 4, SA_RESTORER = 0x04000000,
                     SA_ONSTACK = 0x08000000, SA_RESTART = 0x10000000, SA_NODEFER = 0x40000000,
                     SA_RESETHAND = 0x80000000;

struct Action {
    u64 handler { kHandlerDefault };
    u64 flags { 0 };
    u64 restorer { 0 };
    u64 mask { 0 };
};

class Handlers : public RefCounted<Handlers> {
public:
    static Result<RefPtr<Handlers>> create();
    Result<RefPtr<Handlers>> clone() const;
    Action actions[kCount + 1];
    // execve: caught signals go back to their default action.
    void reset_for_exec();
};

// The parts of siginfo_t the kernel fills.
struct Info {
    int signo { 0 };
    int code { 0 };
    int errno_value { 0 };
    int pid { 0 };       // sender, or the child for SIGCHLD
    u32 uid { 0 };
    int status { 0 };    // SIGCHLD: exit status or signal
    u64 address { 0 };   // SIGSEGV/SIGBUS/SIGILL/SIGFPE
};

// si_code values
inline constexpr int SI_USER = 0, SI_KERNEL = 0x80, SI_TKILL = -6;
inline constexpr int SEGV_MAPERR = 1, SEGV_ACCERR = 2;
inline constexpr int CLD_EXITED = 1, CLD_KILLED = 2, CLD_DUMPED = 3, CLD_TRAPPED = 4, CLD_STOPPED = 5,
                     CLD_CONTINUED = 6;
inline constexpr int ILL_ILLOPN = 2, FPE_INTDIV = 1, BUS_ADRERR = 2, TRAP_BRKPT = 1;

enum class DefaultAction { Terminate, CoreDump, Stop, Continue, Ignore };
DefaultAction default_action(int signal);

// Sends to a whole process (any thread that does not block it handles it).
void send_to_process(Process& process, Info const& info);
// Sends to one thread.
void send_to_thread(Thread& thread, Info const& info);
// Whether `thread` has a signal it must act on (unblocked, pending).
bool has_deliverable(Thread& thread);

// On the way back to user mode: acts on pending signals -- runs default
// actions (which may not return) or builds a handler frame in `frame`.
void deliver(Thread& thread, TrapFrame& frame);
// rt_sigreturn: restores the context saved by deliver().
Result<u64> sigreturn(Thread& thread, TrapFrame& frame);

} // namespace signals
