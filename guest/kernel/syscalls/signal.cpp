// Signal syscalls: dispositions, masks, sending, waiting, the alternate
// stack, rt_sigreturn, and alarm/itimers.
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/sched/scheduler.h>
#include <kernel/syscalls/helpers.h>
#include <kernel/syscalls/timer_helpers.h>
#include <uapi/signal.h>
#include <uapi/time.h>

namespace {

using KernelSigaction = uapi::kernel_sigaction;
using uapi::SIG_BLOCK, uapi::SIG_UNBLOCK, uapi::SIG_SETMASK;

Result<void> check_signal(int signal) {
    if (signal < 1 || signal > signals::kCount) return Errno(EINVAL);
    return {};
}

// kill()'s permission rule: root, or a matching real/effective uid.
bool may_signal(Process& target, int signal) {
    auto const& me = current_process().credentials();
    auto const& them = target.credentials();
    if (me.euid == 0) return true;
    if (signal == signals::SIGCONT && target.sid() == current_process().sid()) return true;
    return me.uid == them.uid || me.uid == them.suid || me.euid == them.uid || me.euid == them.suid;
}

signals::Info user_info(int signal, int code) {
    signals::Info info;
    info.signo = signal;
    info.code = code;
    info.pid = current_process().pid();
    info.uid = current_process().credentials().uid;
    return info;
}

} // namespace

SYSCALL_HANDLER(rt_sigaction, int signal, UserPtr<KernelSigaction> act, UserPtr<KernelSigaction> old_act, usize size) {
    if (size != 8) return Errno(EINVAL);
    TRY(check_signal(signal));
    auto& action = current_process().signal_handlers().actions[signal];
    KernelSigaction fresh {};
    if (!act.is_null()) {
        fresh = TRY(mm::copy_from_user(act));
        if (signal == signals::SIGKILL || signal == signals::SIGSTOP) return Errno(EINVAL);
    }
    if (!old_act.is_null())
        TRY(mm::copy_to_user(old_act, KernelSigaction { action.handler, action.flags, action.restorer, action.mask }));
    if (!act.is_null()) {
        action = { fresh.sa_handler, fresh.sa_flags, fresh.sa_restorer, fresh.sa_mask & ~signals::kUnblockable };
        // Setting SIG_IGN (or a default that ignores) discards what is pending.
        bool ignored = fresh.sa_handler == signals::kHandlerIgnore
            || (fresh.sa_handler == signals::kHandlerDefault && signals::default_action(signal) == signals::DefaultAction::Ignore);
        if (ignored) {
            current_process().pending.discard(signals::bit(signal));
            current_process().for_each_thread([&](Thread& t) { t.pending.discard(signals::bit(signal)); });
        }
    }
    return u64(0);
}

SYSCALL_HANDLER(rt_sigprocmask, int how, UserPtr<u64> set, UserPtr<u64> old_set, usize size) {
    if (size != 8) return Errno(EINVAL);
    Thread& t = current_thread();
    u64 const old = t.signal_mask;
    if (!set.is_null()) {
        u64 value = TRY(mm::copy_from_user(set));
        switch (how) {
        case SIG_BLOCK: t.signal_mask |= value; break;
        case SIG_UNBLOCK: t.signal_mask &= ~value; break;
        case SIG_SETMASK: t.signal_mask = value; break;
        default: return Errno(EINVAL);
        }
        t.signal_mask &= ~signals::kUnblockable;
    }
    if (!old_set.is_null()) TRY(mm::copy_to_user(old_set, old));
    return u64(0);
}

SYSCALL_HANDLER(rt_sigreturn) {
    auto result = signals::sigreturn(current_thread(), syscall_frame());
    if (result.is_error()) {
        // A corrupt frame: Linux kills the process with SIGSEGV.
        current_process().exit_group(wait_status_signaled(signals::SIGSEGV, true));
        return result;
    }
    return result;
}

SYSCALL_HANDLER(rt_sigpending, UserPtr<u64> set, usize size) {
    if (size > 8) return Errno(EINVAL);
    Thread& t = current_thread();
    u64 pending = (t.pending.set | current_process().pending.set) & t.signal_mask;
    TRY(mm::copy_to_user(set.address, &pending, size));
    return u64(0);
}

SYSCALL_HANDLER(rt_sigsuspend, UserPtr<u64> set, usize size) {
    if (size != 8) return Errno(EINVAL);
    u64 mask = TRY(mm::copy_from_user(set));
    Thread& t = current_thread();
    t.saved_mask = t.signal_mask;
    t.restore_saved_mask = true;
    t.signal_mask = mask & ~signals::kUnblockable;
    WaitQueue never;
    (void)sched::wait_until(never, [] { return false; });
    return Errno(EINTR);
}

SYSCALL_HANDLER(pause) {
    WaitQueue never;
    (void)sched::wait_until(never, [] { return false; });
    return Errno(EINTR);
}

SYSCALL_HANDLER(rt_sigtimedwait, UserPtr<u64> set, UserPtr<uapi::siginfo_t> info_out, UserPtr<i64> timeout, usize size) {
    if (size != 8) return Errno(EINVAL);
    u64 const wanted = TRY(mm::copy_from_user(set)) & ~signals::kUnblockable;
    u64 deadline = 0;
    if (!timeout.is_null()) {
        i64 ts[2];
        TRY(mm::copy_from_user(ts, timeout.address, sizeof(ts)));
        if (ts[0] < 0 || ts[1] < 0 || ts[1] >= 1000000000) return Errno(EINVAL);
        deadline = sched::now_ns() + u64(ts[0]) * 1000000000 + u64(ts[1]);
        if (deadline == 0) deadline = 1;
    }
    Thread& t = current_thread();
    Process& p = current_process();
    // The wanted signals wake us while they stay blocked (or not), so
    // that we take them before delivery would -- see Thread::sigwait_set.
    WaitQueue never;
    auto pending = [&] { return ((t.pending.set | p.pending.set) & wanted) != 0; };
    Result<void> waited;
    if (!pending()) {
        t.sigwait_set = wanted;
        waited = sched::wait_until(never, pending, deadline ? deadline : 0);
        t.sigwait_set = 0;
    }
    u64 const available = (t.pending.set | p.pending.set) & wanted;
    if (!available) return waited.is_error() && waited.error().code() == ETIMEDOUT ? Errno(EAGAIN) : Errno(EINTR);
    int signal = __builtin_ctzll(available) + 1;
    signals::Info const info = signals::take(t, signal);
    if (!info_out.is_null()) TRY(mm::copy_to_user(info_out, signals::to_siginfo(info)));
    return u64(signal);
}

SYSCALL_HANDLER(sigaltstack, UserPtr<u64> new_stack, UserPtr<u64> old_stack) {
    constexpr i32 SS_ONSTACK = 1, SS_DISABLE = 2;
    constexpr u64 MINSIGSTKSZ = 2048;
    Thread& t = current_thread();
    u64 const rsp = syscall_frame().rsp;
    bool const on_stack = !t.altstack_disabled && rsp > t.altstack_sp && rsp <= t.altstack_sp + t.altstack_size;
    if (!old_stack.is_null()) {
        u64 old[3] = { t.altstack_sp, u64(t.altstack_disabled ? SS_DISABLE : on_stack ? SS_ONSTACK : 0), t.altstack_size };
        TRY(mm::copy_to_user(old_stack.address, old, sizeof(old)));
    }
    if (!new_stack.is_null()) {
        u64 fresh[3];
        TRY(mm::copy_from_user(fresh, new_stack.address, sizeof(fresh)));
        if (on_stack) return Errno(EPERM);
        i32 flags = i32(fresh[1]);
        if (flags & ~(SS_DISABLE | (1 << 31) /* SS_AUTODISARM */)) return Errno(EINVAL);
        if (flags & SS_DISABLE) {
            t.altstack_disabled = true;
            t.altstack_sp = t.altstack_size = 0;
        } else {
            if (fresh[2] < MINSIGSTKSZ) return Errno(ENOMEM);
            t.altstack_sp = fresh[0];
            t.altstack_size = fresh[2];
            t.altstack_disabled = false;
        }
    }
    return u64(0);
}

SYSCALL_HANDLER(kill, int pid, int signal) {
    if (signal < 0 || signal > signals::kCount) return Errno(EINVAL);
    Process& self = current_process();
    if (pid > 0) {
        Process* target = Process::find(pid);
        if (!target) return Errno(ESRCH);
        if (!may_signal(*target, signal)) return Errno(EPERM);
        if (signal && !target->is_zombie()) signals::send_to_process(*target, user_info(signal, signals::SI_USER));
        return u64(0);
    }
    // A group (pid 0: the caller's; pid < -1: -pid), or everyone (pid -1)
    // except init and the caller.
    int const group = pid == 0 ? self.pgid() : -pid;
    bool found = false, sent = false;
    Process::for_each([&](Process& p) {
        bool const selected = pid == -1 ? (p.pid() != 1 && &p != &self) : p.pgid() == group;
        if (!selected || p.is_zombie()) return;
        found = true;
        if (!may_signal(p, signal)) return;
        sent = true;
        if (signal) signals::send_to_process(p, user_info(signal, signals::SI_USER));
    });
    if (!found) return Errno(ESRCH);
    if (!sent) return Errno(EPERM);
    return u64(0);
}

static Result<u64> signal_thread(int tgid, int tid, int signal, signals::Info const& info) {
    if (tid <= 0 || signal < 0 || signal > signals::kCount) return Errno(EINVAL);
    Thread* target = nullptr;
    Process::for_each([&](Process& p) {
        if (tgid > 0 && p.pid() != tgid) return;
        if (Thread* t = p.find_thread(tid)) target = t;
    });
    if (!target) return Errno(ESRCH);
    if (!may_signal(*target->process, signal)) return Errno(EPERM);
    if (signal && !signals::send_to_thread(*target, info)) return Errno(EAGAIN);
    return u64(0);
}

SYSCALL_HANDLER(tkill, int tid, int signal) { return signal_thread(-1, tid, signal, user_info(signal, signals::SI_TKILL)); }
SYSCALL_HANDLER(tgkill, int tgid, int tid, int signal) {
    if (tgid <= 0) return Errno(EINVAL);
    return signal_thread(tgid, tid, signal, user_info(signal, signals::SI_TKILL));
}

namespace {

// rt_sigqueueinfo and rt_tgsigqueueinfo: the caller writes the siginfo. It
// may not pose as the kernel or tkill to anyone but itself (Linux: EPERM).
Result<signals::Info> queued_info(int signal, UserPtr<uapi::siginfo_t> user, bool to_self) {
    uapi::siginfo_t const s = TRY(mm::copy_from_user(user));
    if ((s.si_code >= 0 || s.si_code == signals::SI_TKILL) && !to_self) return Errno(EPERM);
    signals::Info info;
    info.signo = signal;
    info.code = s.si_code;
    info.pid = s.rt.si_pid;
    info.uid = s.rt.si_uid;
    info.value = s.rt.si_value.sival_ptr;
    return info;
}

} // namespace

SYSCALL_HANDLER(rt_sigqueueinfo, int pid, int signal, UserPtr<uapi::siginfo_t> user_info) {
    if (signal < 0 || signal > signals::kCount) return Errno(EINVAL);
    auto const info = TRY(queued_info(signal, user_info, pid == current_process().pid()));
    Process* target = pid > 0 ? Process::find(pid) : nullptr;
    if (!target || target->is_zombie()) return Errno(ESRCH);
    if (!may_signal(*target, signal)) return Errno(EPERM);
    if (signal && !signals::send_to_process(*target, info)) return Errno(EAGAIN);
    return u64(0);
}

SYSCALL_HANDLER(rt_tgsigqueueinfo, int tgid, int tid, int signal, UserPtr<uapi::siginfo_t> user_info) {
    if (tgid <= 0) return Errno(EINVAL);
    auto const info = TRY(queued_info(signal, user_info, tgid == current_process().pid()));
    return signal_thread(tgid, tid, signal, info);
}

// ---- alarm and the interval timers (ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF) ---

SYSCALL_HANDLER(alarm, u32 seconds) {
    Process& p = current_process();
    u64 const now = sched::now_ns();
    u64 remaining = p.alarm_deadline_ns > now ? (p.alarm_deadline_ns - now + 999999999) / 1000000000 : 0;
    p.alarm_deadline_ns = seconds ? now + u64(seconds) * 1000000000 : 0;
    p.alarm_interval_ns = 0;
    p.arm_alarm();
    return remaining;
}

using ItimerVal = uapi::itimerval;

namespace {

// An armed timer never reads as zero: that would mean "disarmed".
uapi::timeval time_left(u64 expires, u64 now) {
    return ns_timeval(expires == 0 ? 0 : expires > now + 1000 ? expires - now : 1000);
}

enum Which { ITIMER_REAL = 0, ITIMER_VIRTUAL = 1, ITIMER_PROF = 2 };

// The CPU time a CPU timer counts: user time, or user and system.
u64 cpu_time(Process& p, int which) {
    ResourceUsage const used = p.usage();
    return which == ITIMER_VIRTUAL ? used.user_ns : used.user_ns + used.system_ns;
}

Process::CpuTimer& cpu_timer(Process& p, int which) { return which == ITIMER_VIRTUAL ? p.virtual_timer : p.prof_timer; }

ItimerVal get_timer(Process& p, int which) {
    if (which == ITIMER_REAL) return { ns_timeval(p.alarm_interval_ns), time_left(p.alarm_deadline_ns, sched::now_ns()) };
    Process::CpuTimer const& t = cpu_timer(p, which);
    return { ns_timeval(t.interval_ns), time_left(t.expires_ns, cpu_time(p, which)) };
}

void set_timer(Process& p, int which, u64 delay, u64 interval) {
    if (which == ITIMER_REAL) {
        p.alarm_deadline_ns = delay ? sched::now_ns() + delay : 0;
        p.alarm_interval_ns = delay ? interval : 0;
        p.arm_alarm();
        return;
    }
    Process::CpuTimer& t = cpu_timer(p, which);
    // The tick reads these with interrupts enabled around it: set both at
    // once. Linux adds a tick to the first expiry (its getitimer shows it):
    // the CPU time is sampled at ticks.
    bool irqs = platform::irq_save();
    t.expires_ns = delay ? cpu_time(p, which) + delay + 1000000000 / sched::kTickHz : 0;
    t.interval_ns = delay ? interval : 0;
    platform::irq_restore(irqs);
}

Result<u64> timeval_ns(uapi::timeval const& t) {
    if (t.tv_sec < 0 || t.tv_usec < 0 || t.tv_usec >= 1000000) return Errno(EINVAL);
    return u64(t.tv_sec) * 1000000000 + u64(t.tv_usec) * 1000;
}

} // namespace

SYSCALL_HANDLER(getitimer, int which, UserPtr<ItimerVal> out) {
    if (which < ITIMER_REAL || which > ITIMER_PROF) return Errno(EINVAL);
    TRY(mm::copy_to_user(out, get_timer(current_process(), which)));
    return u64(0);
}

SYSCALL_HANDLER(setitimer, int which, UserPtr<ItimerVal> in, UserPtr<ItimerVal> out) {
    if (which < ITIMER_REAL || which > ITIMER_PROF) return Errno(EINVAL);
    Process& p = current_process();
    u64 delay = 0, interval = 0;
    if (!in.is_null()) {
        ItimerVal const v = TRY(mm::copy_from_user(in));
        delay = TRY(timeval_ns(v.it_value));
        interval = TRY(timeval_ns(v.it_interval));
    }
    if (!out.is_null()) TRY(mm::copy_to_user(out, get_timer(p, which)));
    if (!in.is_null()) set_timer(p, which, delay, interval);
    return u64(0);
}

// Resumes what a signal without a handler interrupted with
// -ERESTART_RESTARTBLOCK (user_return.cpp sets up the call). Called any
// other way, or after a handler ran, there is nothing to resume: EINTR.
SYSCALL_HANDLER(restart_syscall) {
    Thread::RestartBlock const block = current_thread().restart;
    current_thread().restart.resume = nullptr;
    if (!block.resume) return Errno(EINTR);
    return block.resume(block);
}
