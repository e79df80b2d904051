#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/debug/log.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/user.h>
#include <kernel/proc/posix_timers.h>
#include <kernel/proc/rseq.h>
#include <kernel/proc/process.h>
#include <uapi/signal.h>
#include <kernel/sched/scheduler.h>

#include <new>

[[noreturn]] void exit_current_thread(); // proc/user_return.cpp

namespace signals {

namespace {

using uapi::rt_sigframe;

bool is_ignored(Process& process, int signal) {
    auto const& action = process.signal_handlers().actions[signal];
    if (action.handler == kHandlerIgnore) return true;
    return action.handler == kHandlerDefault && default_action(signal) == DefaultAction::Ignore;
}

int lowest(u64 set) { return set ? __builtin_ctzll(set) + 1 : 0; }

} // namespace

bool PendingSignals::add(Info const& info) {
    int const signal = info.signo;
    if (!(set & bit(signal))) {
        m_first[signal] = info;
        set |= bit(signal);
        return true;
    }
    if (signal < kFirstRealTime) return true; // coalesces
    if (m_queued_count == kMaxQueued) return false;
    auto* queued = new Queued { info, {} };
    if (!queued) return false;
    m_queued.append(*queued);
    m_queued_count++;
    return true;
}

Info PendingSignals::take(int signal) {
    Info const info = m_first[signal];
    for (Queued& queued : m_queued) {
        if (queued.info.signo != signal) continue;
        m_first[signal] = queued.info; // the next one stays pending
        m_queued.remove(queued);
        m_queued_count--;
        delete &queued;
        return info;
    }
    set &= ~bit(signal);
    return info;
}

Info* PendingSignals::find_timer_signal(int timer_id) {
    for (int signal = 1; signal <= int(kCount); signal++)
        if ((set & bit(signal)) && m_first[signal].code == SI_TIMER && m_first[signal].timer_id == timer_id)
            return &m_first[signal];
    for (Queued& queued : m_queued)
        if (queued.info.code == SI_TIMER && queued.info.timer_id == timer_id) return &queued.info;
    return nullptr;
}

void PendingSignals::discard(u64 signals) {
    set &= ~signals;
    for (auto it = m_queued.begin(); it != m_queued.end();) {
        Queued& queued = *it;
        ++it;
        if (!(signals & bit(queued.info.signo))) continue;
        m_queued.remove(queued);
        m_queued_count--;
        delete &queued;
    }
}

uapi::siginfo_t to_siginfo(Info const& info) {
    uapi::siginfo_t s {};
    s.si_signo = info.signo;
    s.si_errno = info.errno_value;
    s.si_code = info.code;
    if (info.signo == SIGCHLD) {
        s.sigchld.si_pid = info.pid;
        s.sigchld.si_uid = info.uid;
        s.sigchld.si_status = info.status;
    } else if (info.signo == SIGSEGV || info.signo == SIGBUS || info.signo == SIGILL || info.signo == SIGFPE
               || info.signo == SIGTRAP) {
        s.sigfault.si_addr = info.address;
    } else if (info.code == SI_TIMER) {
        s.timer.si_tid = info.timer_id;
        s.timer.si_overrun = info.overrun;
        s.timer.si_value.sival_ptr = info.value;
    } else if (info.code < 0 && info.code != SI_TKILL) {
        s.rt.si_pid = info.pid; // sigqueue and other user-made codes carry a value
        s.rt.si_uid = info.uid;
        s.rt.si_value.sival_ptr = info.value;
    } else {
        s.kill.si_pid = info.pid;
        s.kill.si_uid = info.uid;
    }
    return s;
}

namespace {

// Takes the next deliverable signal of `thread` (thread-directed first).
bool dequeue(Thread& thread, Info& info) {
    u64 const allowed = ~thread.signal_mask | kUnblockable;
    int signal = lowest(thread.pending.set & allowed);
    if (!signal) signal = lowest(thread.process->pending.set & allowed);
    if (!signal) return false;
    info = take(thread, signal);
    return true;
}

[[noreturn]] void terminate(Thread& thread, int signal, bool core) {
    thread.process->exit_group(wait_status_signaled(signal, core));
    exit_current_thread();
}

Result<void> build_frame(Thread& thread, TrapFrame& frame, Info const& info, Action const& action, int signal) {
    bool const on_altstack = !thread.altstack_disabled && frame.rsp > thread.altstack_sp
        && frame.rsp <= thread.altstack_sp + thread.altstack_size;
    u64 sp = frame.rsp - 128; // skip the red zone
    if ((action.flags & SA_ONSTACK) && !thread.altstack_disabled && !on_altstack)
        sp = thread.altstack_sp + thread.altstack_size;
    // The FPU area: the XSAVE image, then the FP_XSTATE_MAGIC2 word.
    usize const fpu_size = fpu::state_size();
    u64 const fpstate = align_down(sp - fpu_size - 4, u64(64));
    sp = align_down(fpstate - sizeof(rt_sigframe), u64(16)) - 8;

    // Save the live registers; mark the area as XSAVE as Linux does
    // (sw_reserved in the legacy part, the magic word at the end).
    fpu::save(thread.fpu_state);
    auto* legacy = reinterpret_cast<uapi::_fpstate*>(thread.fpu_state);
    bool const xsave = fpu::uses_xsave();
    if (xsave) {
        legacy->sw_reserved = {};
        legacy->sw_reserved.magic1 = uapi::FP_XSTATE_MAGIC1;
        legacy->sw_reserved.extended_size = u32(fpu_size + 4);
        legacy->sw_reserved.xfeatures = fpu::components();
        legacy->sw_reserved.xstate_size = u32(fpu_size);
    }
    TRY(mm::copy_to_user(fpstate, thread.fpu_state, fpu_size));
    if (xsave) TRY(mm::copy_to_user(fpstate + fpu_size, &uapi::FP_XSTATE_MAGIC2, 4));

    auto* f = static_cast<rt_sigframe*>(kzalloc(sizeof(rt_sigframe)));
    if (!f) return Errno(ENOMEM);
    f->pretcode = action.restorer;
    f->uc.uc_flags = xsave ? uapi::UC_FP_XSTATE : 0;
    f->uc.uc_stack.ss_sp = thread.altstack_sp;
    f->uc.uc_stack.ss_size = thread.altstack_size;
    f->uc.uc_stack.ss_flags = thread.altstack_disabled ? uapi::SS_DISABLE : on_altstack ? uapi::SS_ONSTACK : 0;
    auto& m = f->uc.uc_mcontext;
    m.r8 = frame.r8, m.r9 = frame.r9, m.r10 = frame.r10, m.r11 = frame.r11;
    m.r12 = frame.r12, m.r13 = frame.r13, m.r14 = frame.r14, m.r15 = frame.r15;
    m.rdi = frame.rdi, m.rsi = frame.rsi, m.rbp = frame.rbp, m.rbx = frame.rbx;
    m.rdx = frame.rdx, m.rax = frame.rax, m.rcx = frame.rcx, m.rsp = frame.rsp, m.rip = frame.rip;
    m.eflags = frame.rflags;
    m.cs = USER_CS;
    m.ss = USER_DS;
    m.trapno = frame.vector < 32 ? frame.vector : 0;
    m.err = frame.vector < 32 ? frame.error : 0;
    m.cr2 = info.address;
    m.oldmask = thread.restore_saved_mask ? thread.saved_mask : thread.signal_mask;
    m.fpstate = fpstate;
    f->uc.uc_sigmask = m.oldmask;
    f->info = to_siginfo(info);
    auto copied = mm::copy_to_user(sp, f, sizeof(rt_sigframe));
    kfree(f);
    TRY(copied);

    // Enter the handler: handler(signal, &info, &uc) returning to the restorer.
    frame.rip = action.handler;
    frame.rsp = sp;
    frame.rdi = u64(signal);
    frame.rsi = sp + __builtin_offsetof(rt_sigframe, info);
    frame.rdx = sp + __builtin_offsetof(rt_sigframe, uc);
    frame.rax = 0;
    frame.rflags &= ~(1ull << 10 | 1ull << 8); // DF and TF clear, as the ABI expects
    fpu::init_state(thread.fpu_state);
    fpu::restore(thread.fpu_state);
    return {};
}

} // namespace

DefaultAction default_action(int signal) {
    switch (signal) {
    case SIGCHLD:
    case SIGURG:
    case SIGWINCH: return DefaultAction::Ignore;
    case SIGCONT: return DefaultAction::Continue;
    case SIGSTOP:
    case SIGTSTP:
    case SIGTTIN:
    case SIGTTOU: return DefaultAction::Stop;
    case SIGQUIT:
    case SIGILL:
    case SIGTRAP:
    case SIGABRT:
    case SIGBUS:
    case SIGFPE:
    case SIGSEGV:
    case SIGXCPU:
    case SIGXFSZ:
    case SIGSYS: return DefaultAction::CoreDump;
    default: return DefaultAction::Terminate;
    }
}

Result<RefPtr<Handlers>> Handlers::create() {
    auto* h = new (std::nothrow) Handlers;
    if (!h) return Errno(ENOMEM);
    return RefPtr<Handlers>::adopt(h);
}

Result<RefPtr<Handlers>> Handlers::clone() const {
    auto copy = TRY(create());
    for (int i = 0; i <= kCount; i++) copy->actions[i] = actions[i];
    return copy;
}

void Handlers::reset_for_exec() {
    for (auto& action : actions) {
        if (action.handler != kHandlerIgnore) action.handler = kHandlerDefault;
        action.flags = 0;
        action.restorer = 0;
        action.mask = 0;
    }
}

static void generated(Process& process, int signal) {
    // SIGCONT resumes at once and cancels pending stops; a stop cancels SIGCONT.
    u64 const stops = bit(SIGSTOP) | bit(SIGTSTP) | bit(SIGTTIN) | bit(SIGTTOU);
    if (signal == SIGCONT || signal == SIGKILL) {
        process.pending.discard(stops);
        process.for_each_thread([&](Thread& t) { t.pending.discard(stops); });
        process.resume();
    } else if (bit(signal) & stops) {
        process.pending.discard(bit(SIGCONT));
        process.for_each_thread([&](Thread& t) { t.pending.discard(bit(SIGCONT)); });
    }
}

bool send_to_process(Process& process, Info const& info) {
    int const signal = info.signo;
    if (signal < 1 || signal > kCount || process.is_zombie() || !process.main_thread()) return true;
    generated(process, signal);
    if (signal == SIGCONT && is_ignored(process, signal)) return true;
    // Discard an ignored signal unless every thread blocks it (Linux).
    bool all_block = true;
    process.for_each_thread([&](Thread& t) { all_block &= ((t.signal_mask | t.sigwait_set) & bit(signal)) != 0; });
    if (is_ignored(process, signal) && !all_block) return true;
    if (!process.pending.add(info)) return false;
    // Wake a thread that can take it (it re-checks and returns EINTR).
    Thread* target = nullptr;
    process.for_each_thread([&](Thread& t) {
        if (!target && (!(t.signal_mask & bit(signal)) || ((t.sigwait_set | kUnblockable) & bit(signal)))) target = &t;
    });
    if (target) sched::make_runnable(*target);
    if (signal == SIGKILL) process.for_each_thread([](Thread& t) { sched::make_runnable(t); });
    return true;
}

void force(Thread& thread, Info const& info) {
    auto& action = thread.process->signal_handlers().actions[info.signo];
    if ((thread.signal_mask & bit(info.signo)) || action.handler == kHandlerIgnore) {
        thread.signal_mask &= ~bit(info.signo);
        action.handler = kHandlerDefault;
    }
    send_to_thread(thread, info);
}

bool send_to_thread(Thread& thread, Info const& info) {
    int const signal = info.signo;
    if (signal < 1 || signal > kCount || !thread.process) return true;
    Process& process = *thread.process;
    generated(process, signal);
    if (is_ignored(process, signal) && !((thread.signal_mask | thread.sigwait_set) & bit(signal))) return true;
    if (!thread.pending.add(info)) return false;
    sched::make_runnable(thread);
    return true;
}

Info take(Thread& thread, int signal) {
    Process& process = *thread.process;
    Info info = (thread.pending.set & bit(signal)) ? thread.pending.take(signal) : process.pending.take(signal);
    if (info.code == SI_TIMER) posix_timers::signal_taken(process, info);
    if (signal == SIGALRM) process.alarm_signal_taken();
    return info;
}

bool has_deliverable(Thread& thread) {
    if (!thread.process) return false;
    u64 const allowed = ~thread.signal_mask | kUnblockable;
    return ((thread.pending.set | thread.process->pending.set) & allowed) != 0;
}

void deliver(Thread& thread, TrapFrame& frame) {
    Process& process = *thread.process;
    Info info;
    while (dequeue(thread, info)) {
        int const signal = info.signo;
        Action action = process.signal_handlers().actions[signal];
        if (signal == SIGKILL) terminate(thread, signal, false);
        if (action.handler == kHandlerIgnore) continue;
        if (action.handler == kHandlerDefault) {
            switch (default_action(signal)) {
            case DefaultAction::Ignore:
            case DefaultAction::Continue: continue;
            case DefaultAction::Stop:
                if (signal == SIGSTOP) process.stop(signal);
                else process.stop(signal); // orphaned process groups are not special-cased yet
                return; // user_return waits while stopped, then comes back here
            case DefaultAction::Terminate: terminate(thread, signal, false);
            case DefaultAction::CoreDump: terminate(thread, signal, true);
            }
        }
        // A handler runs. An interrupted syscall restarts only with SA_RESTART,
        // and sleeps (ERESTARTNOHAND, ERESTART_RESTARTBLOCK) never do.
        if (frame.vector == SYSCALL_VECTOR) {
            i64 const result = i64(frame.rax);
            if (result == -ERESTARTSYS && (action.flags & SA_RESTART)) {
                frame.rax = thread.syscall_number;
                frame.rip -= 2;
            } else if (result == -ERESTARTSYS || result == -ERESTARTNOHAND || result == -ERESTART_RESTARTBLOCK) {
                frame.rax = u64(-EINTR);
                thread.restart.resume = nullptr;
            }
        }
        rseq::on_signal_delivery(thread, frame);
        if (build_frame(thread, frame, info, action, signal).is_error()) {
            // The stack is unusable: as Linux does, kill with SIGSEGV.
            terminate(thread, SIGSEGV, true);
        }
        u64 mask = thread.restore_saved_mask ? thread.saved_mask : thread.signal_mask;
        thread.restore_saved_mask = false;
        mask |= action.mask;
        if (!(action.flags & SA_NODEFER)) mask |= bit(signal);
        thread.signal_mask = mask & ~kUnblockable;
        if (action.flags & SA_RESETHAND) process.signal_handlers().actions[signal].handler = kHandlerDefault;
        return;
    }
    // No handler ran: sigsuspend's temporary mask ends here.
    if (thread.restore_saved_mask) {
        thread.signal_mask = thread.saved_mask;
        thread.restore_saved_mask = false;
    }
}

Result<u64> sigreturn(Thread& thread, TrapFrame& frame) {
    // The frame starts where the handler's return popped pretcode.
    u64 const base = frame.rsp - 8;
    auto* f = static_cast<rt_sigframe*>(kmalloc(sizeof(rt_sigframe)));
    if (!f) return Errno(ENOMEM);
    auto copied = mm::copy_from_user(f, base, sizeof(rt_sigframe));
    if (copied.is_error()) {
        kfree(f);
        return copied.error();
    }
    auto const& m = f->uc.uc_mcontext;
    frame.r8 = m.r8, frame.r9 = m.r9, frame.r10 = m.r10, frame.r11 = m.r11;
    frame.r12 = m.r12, frame.r13 = m.r13, frame.r14 = m.r14, frame.r15 = m.r15;
    frame.rdi = m.rdi, frame.rsi = m.rsi, frame.rbp = m.rbp, frame.rbx = m.rbx;
    frame.rdx = m.rdx, frame.rax = m.rax, frame.rcx = m.rcx, frame.rsp = m.rsp, frame.rip = m.rip;
    // User mode may not set privileged flags: keep only the arithmetic,
    // direction, trap and alignment flags, with IF on.
    frame.rflags = (m.eflags & 0x40dd5) | 0x202;
    frame.cs = USER_CS;
    frame.ss = USER_DS;
    thread.signal_mask = f->uc.uc_sigmask & ~kUnblockable;
    u64 const fpstate = m.fpstate;
    kfree(f);
    if (fpstate) {
        usize const size = fpu::state_size();
        TRY(mm::copy_from_user(thread.fpu_state, fpstate, size));
        fpu::sanitize(thread.fpu_state);
        fpu::restore(thread.fpu_state);
    }
    return frame.rax;
}

} // namespace signals
