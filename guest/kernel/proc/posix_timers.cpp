// POSIX timers: timer_create, timer_settime, timer_gettime,
// timer_getoverrun, timer_delete (see posix_timers.h).
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/proc/posix_timers.h>
#include <kernel/proc/process.h>
#include <kernel/syscalls/helpers.h>
#include <kernel/syscalls/timer_helpers.h>
#include <uapi/signal.h>
#include <uapi/time.h>
#include <new>

namespace posix_timers {

namespace {

constexpr int TIMER_ABSTIME = 1;
constexpr int kMaxOverrun = 0x7fffffff; // DELAYTIMER_MAX
// Linux bounds timers by memory; this only stops a runaway loop.
constexpr usize kMaxTimers = 4096;

// Signals an expiry of `timer`: a new signal, or one more overrun on the
// one still pending. False if no signal is pending for it afterwards (the
// signal is ignored, the target thread gone). In interrupt context, or with
// interrupts disabled.
bool notify(Timer& timer) {
    Process& process = *timer.process;
    Thread* thread = nullptr;
    if (timer.notify == uapi::SIGEV_THREAD_ID) {
        thread = process.find_thread(int(timer.target_tid));
        if (!thread) return false; // the thread has exited
    }
    signals::PendingSignals& pending = thread ? thread->pending : process.pending;
    if (signals::Info* queued = pending.find_timer_signal(timer.id)) {
        if (queued->overrun < kMaxOverrun) queued->overrun++;
        return true;
    }
    signals::Info info;
    info.signo = timer.signo;
    info.code = signals::SI_TIMER;
    info.timer_id = timer.id;
    info.value = timer.value;
    if (thread) signals::send_to_thread(*thread, info);
    else signals::send_to_process(process, info);
    return pending.find_timer_signal(timer.id) != nullptr;
}

constexpr int kCpuProf = 0, kCpuVirt = 1, kCpuSched = 2;
constexpr int CLOCK_PROCESS_CPUTIME_ID = 2, CLOCK_THREAD_CPUTIME_ID = 3;

// The time of the timer's clock: monotonic, or the CPU time it counts (0
// once its thread has exited: it never fires then).
u64 clock_now(Timer& timer) {
    if (timer.cpu_which < 0) return sched::now_ns();
    ResourceUsage used;
    if (timer.cpu_tid) {
        Thread* thread = timer.process->find_thread(int(timer.cpu_tid));
        if (!thread) return 0;
        used = ResourceUsage::of(*thread);
    } else {
        used = timer.process->usage();
    }
    return timer.cpu_which == kCpuVirt ? used.user_ns : used.user_ns + used.system_ns;
}

// Whether the timer is counting down to its next expiry (not fired and
// waiting for its signal to be taken, not SIGEV_NONE).
bool counting(Timer& timer) { return timer.cpu_which < 0 ? timer.timer.node.is_linked() : timer.counting; }

// Counts the timer down again (after settime, or when its signal was taken).
void start(Timer& timer) {
    if (timer.cpu_which < 0) sched::add_timer(timer.timer);
    else timer.counting = true;
}

// Moves a periodic timer that fired to its first period after now; returns
// the periods it skipped. A wall-clock timer's wall time moves in step.
u64 forward(Timer& timer, u64 interval) {
    u64 const before = timer.timer.deadline_ns;
    u64 const missed = sched::forward(timer.timer.deadline_ns, interval, clock_now(timer));
    if (timer.wall_deadline_ns) timer.wall_deadline_ns += timer.timer.deadline_ns - before;
    return missed;
}

// In interrupt context. A periodic timer stays stopped until its signal is
// taken (signal_taken re-arms it, with the periods it missed as overrun),
// as on Linux; one whose signal went nowhere tries again a tick later.
void expired(sched::Timer& t) {
    Timer& timer = *static_cast<Timer*>(t.context);
    if (notify(timer) || !timer.interval_ns) return;
    forward(timer, lib::max(timer.interval_ns, u64(1000000000 / sched::kTickHz)));
    sched::add_timer(t);
}

Timer* find(Process& process, int id) {
    for (Timer& t : process.posix_timers)
        if (t.id == id) return &t;
    return nullptr;
}

uapi::itimerspec current(Timer& timer) {
    bool irqs = platform::irq_save();
    u64 const now = clock_now(timer);
    u64 left = 0;
    if (timer.armed) {
        u64 next = timer.timer.deadline_ns;
        // Past the deadline: a periodic timer waits for its signal to be
        // taken (or is SIGEV_NONE, never armed in the scheduler); its next
        // period is what is left. A one-shot one is done.
        if (next <= now && timer.interval_ns) sched::forward(next, timer.interval_ns, now);
        left = next > now ? next - now : 0;
        if (!left && !counting(timer)) timer.armed = false;
    }
    uapi::itimerspec const value { ns_timespec(timer.interval_ns), ns_timespec(left) };
    platform::irq_restore(irqs);
    return value;
}

// Ids count up from 0 per process and skip those in use, as Linux hands
// them out (a deleted timer's id is not the next one).
int next_id(Process& process) {
    int id = process.next_timer_id;
    while (find(process, id)) id = (id + 1) & 0x7fffffff;
    process.next_timer_id = (id + 1) & 0x7fffffff;
    return id;
}

} // namespace

void delete_all(Process& process) {
    while (Timer* timer = process.posix_timers.take_first()) {
        sched::cancel_timer(timer->timer);
        delete timer;
    }
}

void clock_was_set() {
    bool irqs = platform::irq_save();
    u64 const now = sched::now_ns();
    Process::for_each([&](Process& process) {
        for (Timer& timer : process.posix_timers) {
            // Only a timer still counting down: one that fired waits for
            // its signal to be taken, and moves from its last expiry then.
            bool const waiting = timer.timer.node.is_linked();
            if (!timer.wall_deadline_ns || !timer.armed || (!waiting && timer.notify != uapi::SIGEV_NONE)) continue;
            sched::cancel_timer(timer.timer);
            timer.timer.deadline_ns = wall_to_monotonic(timer.wall_deadline_ns, now);
            if (waiting) sched::add_timer(timer.timer);
        }
    });
    platform::irq_restore(irqs);
}

void check_cpu_timers(Process& process) {
    for (Timer& timer : process.posix_timers) {
        if (timer.cpu_which < 0 || !timer.counting || clock_now(timer) < timer.timer.deadline_ns) continue;
        timer.counting = false;
        // Its signal went nowhere: a periodic one counts on (checked at
        // ticks, so at most one signal a tick).
        if (!notify(timer) && timer.interval_ns) {
            forward(timer, timer.interval_ns);
            timer.counting = true;
        }
    }
}

void signal_taken(Process& process, signals::Info& info) {
    Timer* timer = find(process, info.timer_id);
    if (!timer) return; // deleted since
    bool irqs = platform::irq_save();
    if (timer->armed && timer->interval_ns && !counting(*timer)) {
        u64 const missed = forward(*timer, timer->interval_ns);
        info.overrun = int(lib::min(u64(info.overrun) + missed, u64(kMaxOverrun)));
        start(*timer);
    }
    timer->overrun_last = info.overrun;
    platform::irq_restore(irqs);
}

} // namespace posix_timers

using posix_timers::Timer;

SYSCALL_HANDLER(timer_create, int clock, UserPtr<uapi::sigevent> event_in, UserPtr<int> id_out) {
    using namespace posix_timers;
    Process& process = current_process();
    // CPU-time clocks: the caller's own process or one of its threads (the
    // ids clock_getcpuclockid and pthread_getcpuclockid make).
    int cpu_which = -1;
    u32 cpu_tid = 0;
    if (clock == CLOCK_PROCESS_CPUTIME_ID || clock == CLOCK_THREAD_CPUTIME_ID) {
        cpu_which = kCpuSched;
        cpu_tid = clock == CLOCK_THREAD_CPUTIME_ID ? current_thread().tid() : 0;
    } else if (clock < 0) {
        cpu_which = clock & 3;
        int const pid = ~(clock >> 3);
        if (cpu_which > kCpuSched) return Errno(EINVAL);
        if (clock & 4) {
            cpu_tid = pid ? u32(pid) : current_thread().tid();
            if (!process.find_thread(int(cpu_tid))) return Errno(EINVAL);
        } else if (pid != 0 && pid != process.pid()) {
            return Errno(EINVAL); // another process's CPU clock: not supported
        }
    } else {
        TRY(timer_clock::check(clock));
    }
    uapi::sigevent event {};
    event.sigev_notify = uapi::SIGEV_SIGNAL;
    event.sigev_signo = signals::SIGALRM;
    bool const default_event = event_in.is_null();
    if (!default_event) event = TRY(mm::copy_from_user(event_in));
    int const notify = event.sigev_notify;
    if (notify != uapi::SIGEV_SIGNAL && notify != uapi::SIGEV_NONE && notify != uapi::SIGEV_THREAD
        && notify != uapi::SIGEV_THREAD_ID)
        return Errno(EINVAL);
    if (notify != uapi::SIGEV_NONE && (event.sigev_signo < 1 || event.sigev_signo > int(signals::kCount)))
        return Errno(EINVAL);
    if (notify == uapi::SIGEV_THREAD_ID && !process.find_thread(event.sigev_notify_thread_id)) return Errno(EINVAL);
    if (process.posix_timers.size() >= kMaxTimers) return Errno(EAGAIN);
    int const id = next_id(process);
    auto* timer = new (std::nothrow) Timer {};
    if (!timer) return Errno(ENOMEM);
    timer->id = id;
    timer->process = &process;
    timer->notify = notify == uapi::SIGEV_THREAD ? uapi::SIGEV_SIGNAL : notify; // the C library runs the thread
    timer->signo = event.sigev_signo;
    timer->target_tid = u32(event.sigev_notify_thread_id);
    timer->value = default_event ? u64(id) : event.sigev_value.sival_ptr; // sival_int = the id, by default
    timer->realtime = cpu_which < 0 && timer_clock::is_wall_clock(clock);
    timer->cpu_which = cpu_which;
    timer->cpu_tid = cpu_tid;
    timer->timer.context = timer;
    timer->timer.fire = expired;
    if (auto copied = mm::copy_to_user(id_out, id); copied.is_error()) {
        delete timer;
        return copied.error();
    }
    process.posix_timers.append(*timer);
    return u64(0);
}

SYSCALL_HANDLER(timer_settime, int id, int flags, UserPtr<uapi::itimerspec> in, UserPtr<uapi::itimerspec> out) {
    using namespace posix_timers;
    Timer* timer = find(current_process(), id);
    if (!timer || in.is_null()) return Errno(EINVAL);
    uapi::itimerspec const value = TRY(mm::copy_from_user(in));
    u64 const initial = TRY(timespec_ns(value.it_value));
    u64 const interval = TRY(timespec_ns(value.it_interval));
    uapi::itimerspec const old = current(*timer);
    bool irqs = platform::irq_save();
    sched::cancel_timer(timer->timer);
    timer->counting = false;
    timer->interval_ns = initial ? interval : 0;
    timer->armed = initial != 0;
    bool const absolute = flags & TIMER_ABSTIME;
    timer->wall_deadline_ns = initial && absolute && timer->realtime ? initial : 0;
    if (initial) {
        u64 const now = clock_now(*timer);
        if (timer->wall_deadline_ns) timer->timer.deadline_ns = wall_to_monotonic(initial, now);
        else timer->timer.deadline_ns = absolute ? lib::max(initial, now) : now + initial;
        // SIGEV_NONE signals nothing: its time left is only computed.
        if (timer->notify != uapi::SIGEV_NONE) start(*timer);
    }
    platform::irq_restore(irqs);
    if (!out.is_null()) TRY(mm::copy_to_user(out, old));
    return u64(0);
}

SYSCALL_HANDLER(timer_gettime, int id, UserPtr<uapi::itimerspec> out) {
    Timer* timer = posix_timers::find(current_process(), id);
    if (!timer) return Errno(EINVAL);
    TRY(mm::copy_to_user(out, posix_timers::current(*timer)));
    return u64(0);
}

SYSCALL_HANDLER(timer_getoverrun, int id) {
    Timer* timer = posix_timers::find(current_process(), id);
    if (!timer) return Errno(EINVAL);
    return u64(timer->overrun_last);
}

SYSCALL_HANDLER(timer_delete, int id) {
    Process& process = current_process();
    Timer* timer = posix_timers::find(process, id);
    if (!timer) return Errno(EINVAL);
    sched::cancel_timer(timer->timer);
    process.posix_timers.remove(*timer);
    delete timer;
    return u64(0);
}
