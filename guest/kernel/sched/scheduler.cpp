#include <kernel/arch/x86_64/apic.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/traps.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/proc/process.h>
#include <kernel/debug/debug_table.h>
#include <kernel/sched/scheduler.h>

extern "C" void switch_context(u64* save_rsp, u64 new_rsp);

namespace sched {

namespace {

using RunQueue = IntrusiveList<Thread, &Thread::m_run_node>;
RunQueue g_run_queue;
IntrusiveList<Thread, &Thread::m_sleep_node> g_sleepers; // sleeping with a deadline, unordered (few)
Thread* g_dead;      // exited; deleted after the next switch
IntrusiveList<Timer, &Timer::node> g_timers;
u64 g_ticks;

void check_canary(Thread const& t, char const* role) {
    if (!t.stack().canary_intact()) {
        debug_table::event(aramid::debug::EventKind::CanaryBroken, t.tid(), t.tid(), t.name());
        panic("kernel stack canary of thread %u (%s) broken at a context switch (%s); watermark %lu of %lu bytes",
              t.tid(), t.name(), role, t.stack().watermark(), t.stack().size());
    }
}

// The LAPIC timer runs one-shot, armed for the earliest of the next tick
// and every sleeper's and timer's deadline, so that a 100 us sleep takes
// about 100 us, not up to a tick (Linux's hrtimers). Ticks keep the time
// slices, the CPU-time sampling and the monitor's memory figures.
constexpr u64 kTickNs = 1000000000 / kTickHz;
u64 g_next_tick_ns;  // when the next tick is due
u64 g_armed_ns;      // when the armed interrupt fires

u64 next_event_ns() {
    u64 next = g_next_tick_ns;
    for (Thread& t : g_sleepers) next = lib::min(next, t.wake_deadline_ns);
    for (Timer& t : g_timers) next = lib::min(next, t.deadline_ns);
    return next;
}

void arm(u64 at, u64 now) {
    g_armed_ns = at;
    apic::fire_in(at > now ? at - now : 0);
}

// A deadline was added: fire earlier if it comes before the armed one.
// Interrupts disabled.
void deadline_added(u64 deadline_ns) {
    if (deadline_ns < g_armed_ns) arm(deadline_ns, tsc::uptime_ns());
}

void tick(TrapFrame& frame) {
    g_ticks++;
    if (Thread* t = this_cpu().current; t != this_cpu().idle) {
        if (frame.from_user()) t->user_ticks++;
        else t->system_ticks++;
        if (t->process) t->process->check_cpu_timers();
    }
    debug_table::update_memory();
    // Time slice: one tick.
    if (!g_run_queue.is_empty()) this_cpu().need_resched = true;
}

void on_timer(TrapFrame& frame) {
    apic::eoi();
    u64 const now = tsc::uptime_ns();
    // A tick may come a little early or late (interrupt latency, a
    // deadline just before it): ticks need no precision, only a steady rate.
    if (now + kTickNs / 8 >= g_next_tick_ns) {
        tick(frame);
        g_next_tick_ns += kTickNs;
        if (g_next_tick_ns <= now) g_next_tick_ns = now + kTickNs; // fell behind (a paused VM)
    }
    if (!g_sleepers.is_empty()) {
        for (bool woke = true; woke;) {
            woke = false;
            for (Thread& t : g_sleepers) {
                if (t.wake_deadline_ns > now) continue;
                g_sleepers.remove(t);
                t.wake_deadline_ns = 0;
                make_runnable(t);
                woke = true;
                break; // the iterator is invalid now: rescan
            }
        }
    }
    if (!g_timers.is_empty()) {
        for (bool fired = true; fired;) {
            fired = false;
            for (Timer& t : g_timers) {
                if (t.deadline_ns > now) continue;
                g_timers.remove(t);
                t.fire(t); // may add timers (intervals): the arm below covers them
                fired = true;
                break;
            }
        }
    }
    arm(next_event_ns(), tsc::uptime_ns());
}

// Switches to the next runnable thread (or idle). Interrupts disabled.
void switch_away(aramid::debug::SwitchReason reason) {
    Cpu& cpu = this_cpu();
    Thread* prev = cpu.current;
    Thread* next = g_run_queue.take_first();
    if (!next) next = cpu.idle;
    cpu.need_resched = false;
    if (next == prev) {
        prev->set_state(ThreadState::Running);
        return;
    }
    check_canary(*prev, "outgoing");
    check_canary(*next, "incoming");
    // User register state the kernel itself never touches: FPU/SSE/AVX and
    // the FS/GS bases. Kernel threads borrow whatever address space is loaded.
    if (prev->process && prev->fpu_state) {
        fpu::save(prev->fpu_state);
        prev->fs_base = x86::rdfsbase();
        prev->gs_base = x86::rdgsbase();
    }
    if (next->process) {
        fpu::restore(next->fpu_state);
        x86::wrfsbase(next->fs_base);
        x86::wrgsbase(next->gs_base);
        mm::AddressSpace& space = next->process->address_space();
        if (mm::loaded_root() != space.roots().kernel_root) space.activate();
    }
    next->set_state(ThreadState::Running);
    u64 const n = cpu.context_switches;
    u64 const ticks = x86::rdtsc();
    prev->runtime_ticks += debug_table::ticks_running(n, ticks);
    cpu.current = next;
    cpu.kernel_stack_top = next->stack().top();
    if (reason == aramid::debug::SwitchReason::Block) prev->switches.voluntary++;
    else prev->switches.involuntary++; // preempted or yielding, as Linux counts them
    debug_table::context_switch(n, ticks, next->debug_slot, reason);
    cpu.context_switches = n + 1;
    switch_context(&prev->saved_rsp, next->saved_rsp);
    finish_switch();
}

} // namespace

namespace {
void idle_thread(void*) {
    for (;;) {
        platform::irq_disable();
        if (!g_run_queue.is_empty()) {
            switch_away(aramid::debug::SwitchReason::Preempt);
            continue;
        }
        platform::idle(); // returns with interrupts enabled, after one arrived
    }
}
} // namespace

void init(Thread* boot_thread) {
    Cpu& cpu = this_cpu();
    cpu.current = boot_thread;
    debug_table::context_switch(u64(-1), x86::rdtsc(), boot_thread->debug_slot, aramid::debug::SwitchReason::Start);
    cpu.kernel_stack_top = boot_thread->stack().top();
    auto idle = Thread::create_kernel("idle", idle_thread, nullptr);
    if (idle.is_error()) panic("cannot create the idle thread");
    cpu.idle = idle.value();
}

void start_tick() {
    bool irqs = platform::irq_save();
    traps::set_handler(traps::kVectorTimer, on_timer);
    apic::start_timer(traps::kVectorTimer);
    u64 const now = tsc::uptime_ns();
    g_next_tick_ns = now + kTickNs;
    arm(next_event_ns(), now);
    platform::irq_restore(irqs);
}

u64 ticks() { return g_ticks; }

void add_timer(Timer& timer) {
    bool irqs = platform::irq_save();
    if (!timer.node.is_linked()) {
        g_timers.append(timer);
        deadline_added(timer.deadline_ns);
    }
    platform::irq_restore(irqs);
}

void cancel_timer(Timer& timer) {
    bool irqs = platform::irq_save();
    if (timer.node.is_linked()) g_timers.remove(timer);
    platform::irq_restore(irqs);
}
Thread* current() { return this_cpu().current; }

void make_runnable(Thread& thread) {
    bool irqs = platform::irq_save();
    if (thread.m_sleep_node.is_linked()) {
        g_sleepers.remove(thread);
        thread.wake_deadline_ns = 0;
    }
    if (thread.state() != ThreadState::Running && thread.state() != ThreadState::Dead
        && !thread.m_run_node.is_linked() && &thread != this_cpu().idle) {
        thread.set_state(ThreadState::Runnable);
        g_run_queue.append(thread);
        this_cpu().need_resched = true;
    }
    platform::irq_restore(irqs);
}

void finish_switch() {
    if (g_dead && g_dead != this_cpu().current) {
        Thread* dead = g_dead;
        g_dead = nullptr;
        all_threads().remove(*dead);
        delete dead;
    }
}

void yield() {
    bool irqs = platform::irq_save();
    Thread* self = this_cpu().current;
    if (self != this_cpu().idle) {
        self->set_state(ThreadState::Runnable);
        g_run_queue.append(*self);
    }
    switch_away(this_cpu().need_resched ? aramid::debug::SwitchReason::Preempt : aramid::debug::SwitchReason::Yield);
    platform::irq_restore(irqs);
}

void block_current() {
    bool irqs = platform::irq_save();
    switch_away(aramid::debug::SwitchReason::Block);
    platform::irq_restore(irqs);
}

void sleep_until_woken(u64 deadline_ns) {
    Thread* self = this_cpu().current;
    self->set_state(ThreadState::Blocked);
    if (deadline_ns) {
        self->wake_deadline_ns = deadline_ns;
        g_sleepers.append(*self);
        deadline_added(deadline_ns);
    }
    switch_away(aramid::debug::SwitchReason::Block);
}

void sleep_ns(u64 ns) {
    bool irqs = platform::irq_save();
    u64 const deadline = tsc::uptime_ns() + ns;
    // Loop: a stray wakeup must not end the sleep early.
    while (tsc::uptime_ns() < deadline) sleep_until_woken(deadline);
    platform::irq_restore(irqs);
}

u64 now_ns() { return tsc::uptime_ns(); }

void exit_current() {
    platform::irq_disable();
    Thread* self = this_cpu().current;
    if (self == this_cpu().idle) panic("the idle thread exited");
    self->set_state(ThreadState::Dead);
    if (g_dead) panic("two dead threads pending");
    g_dead = self;
    switch_away(aramid::debug::SwitchReason::Exit);
    panic("a dead thread was scheduled");
}


} // namespace sched
