// Signals: per-process dispositions (shared with CLONE_SIGHAND), pending
// sets per thread and per process, and delivery on the way back to user
// mode (an rt_sigframe on the user stack, or the alternate stack).
#pragma once

#include <kernel/arch/x86_64/trap_frame.h>
#include <lib/intrusive_list.h>
#include <lib/ref_ptr.h>
#include <lib/result.h>
#include <uapi/signal.h>

class Thread;
class Process;

namespace signals {

inline constexpr int kCount = 64; // 1..64
// The signal numbers, flags and codes of uapi/signal.h, in this namespace.
using uapi::SIGHUP, uapi::SIGINT, uapi::SIGQUIT, uapi::SIGILL, uapi::SIGTRAP, uapi::SIGABRT, uapi::SIGBUS,
    uapi::SIGFPE, uapi::SIGKILL, uapi::SIGUSR1, uapi::SIGSEGV, uapi::SIGUSR2, uapi::SIGPIPE, uapi::SIGALRM,
    uapi::SIGTERM, uapi::SIGSTKFLT, uapi::SIGCHLD, uapi::SIGCONT, uapi::SIGSTOP, uapi::SIGTSTP, uapi::SIGTTIN,
    uapi::SIGTTOU, uapi::SIGURG, uapi::SIGXCPU, uapi::SIGXFSZ, uapi::SIGVTALRM, uapi::SIGPROF, uapi::SIGWINCH,
    uapi::SIGIO, uapi::SIGPWR, uapi::SIGSYS;

inline constexpr u64 bit(int signal) { return 1ull << (signal - 1); }
// SIGKILL and SIGSTOP cannot be blocked, caught or ignored.
inline constexpr u64 kUnblockable = bit(SIGKILL) | bit(SIGSTOP);

inline constexpr u64 kHandlerDefault = 0;
inline constexpr u64 kHandlerIgnore = 1;

using uapi::SA_NOCLDSTOP, uapi::SA_NOCLDWAIT, uapi::SA_SIGINFO, uapi::SA_RESTORER, uapi::SA_ONSTACK,
    uapi::SA_RESTART, uapi::SA_NODEFER, uapi::SA_RESETHAND;

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
    u64 value { 0 };     // sigqueue(3)'s sigval (si_code SI_QUEUE and other negative codes), SI_TIMER's
    int timer_id { 0 };  // SI_TIMER: the POSIX timer
    int overrun { 0 };   // SI_TIMER: expiries while this signal was pending
};

// The first real-time signal the kernel knows (C libraries reserve a few).
inline constexpr int kFirstRealTime = 32;

// Signals sent but not yet taken, for a thread or a process. Standard
// signals coalesce: one bit, the first sender's Info. Real-time signals
// queue: each send is taken once, in order, with its own Info.
class PendingSignals {
public:
    PendingSignals() = default;
    PendingSignals(PendingSignals const&) = delete;
    PendingSignals& operator=(PendingSignals const&) = delete;
    ~PendingSignals() { discard(~0ull); }

    u64 set { 0 };
    // False when a real-time signal could not be queued: too many queued
    // (Linux's RLIMIT_SIGPENDING; sigqueue says EAGAIN) or no memory.
    bool add(Info const& info);
    // Takes one instance of `signal`, which must be in `set`.
    Info take(int signal);
    // Drops every pending instance of the signals in `signals`.
    void discard(u64 signals);
    // The pending signal of POSIX timer `timer_id` of this process, if any.
    Info* find_timer_signal(int timer_id);

    static constexpr usize kMaxQueued = 1024;

private:
    struct Queued {
        Info info;
        lib::IntrusiveListNode node;
    };
    Info m_first[kCount + 1];                            // the oldest instance of each signal in `set`
    lib::IntrusiveList<Queued, &Queued::node> m_queued; // later real-time instances, oldest first
    usize m_queued_count { 0 };
};

// siginfo_t as user space sees it.
uapi::siginfo_t to_siginfo(Info const& info);

using uapi::SI_USER, uapi::SI_KERNEL, uapi::SI_TKILL, uapi::SI_TIMER, uapi::SEGV_MAPERR, uapi::SEGV_ACCERR, uapi::CLD_EXITED,
    uapi::CLD_KILLED, uapi::CLD_DUMPED, uapi::CLD_TRAPPED, uapi::CLD_STOPPED, uapi::CLD_CONTINUED, uapi::ILL_ILLOPN,
    uapi::FPE_INTDIV, uapi::BUS_ADRERR, uapi::TRAP_BRKPT;

enum class DefaultAction { Terminate, CoreDump, Stop, Continue, Ignore };
DefaultAction default_action(int signal);

// Sends to a whole process (any thread that does not block it handles it).
// False only when a real-time signal found its queue full (EAGAIN).
bool send_to_process(Process& process, Info const& info);
// Sends to one thread; the same result.
bool send_to_thread(Thread& thread, Info const& info);
// A signal the thread cannot block or ignore away (a fault's; Linux's
// force_sig): the disposition is reset to the default if it is ignored or
// blocked, then it is sent.
void force(Thread& thread, Info const& info);
// Takes one pending instance of `signal` for `thread`: its own first, else
// its process's. The signal must be pending for one of them.
Info take(Thread& thread, int signal);
// Whether `thread` has a signal it must act on (unblocked, pending).
bool has_deliverable(Thread& thread);

// On the way back to user mode: acts on pending signals -- runs default
// actions (which may not return) or builds a handler frame in `frame`.
void deliver(Thread& thread, TrapFrame& frame);
// rt_sigreturn: restores the context saved by deliver().
Result<u64> sigreturn(Thread& thread, TrapFrame& frame);

} // namespace signals
