// The scheduler: one CPU, round robin among runnable threads, an idle thread
// when none is. Kernel code is not preempted; a timer tick
// asks for a reschedule, acted on when returning to user mode, when a
// thread blocks or yields, and by the idle loop.
//
// Every switch checks both threads' stack canaries and panics naming the
// thread whose canary broke.
#pragma once

#include <kernel/sched/thread.h>

namespace sched {

// The boot thread keeps running as an ordinary thread; init creates the idle thread.
void init(Thread* boot_thread);
// Starts the periodic tick (kTickHz).
void start_tick();
inline constexpr u32 kTickHz = 250;
u64 ticks();

Thread* current();
void make_runnable(Thread& thread);
void yield();
// Switches away from the current thread, whose state the caller set to
// Blocked (with interrupts disabled, so a wakeup cannot be missed).
void block_current();
// Sleeps at least `ns` nanoseconds (not interruptible).
void sleep_ns(u64 ns);
// Blocks the current thread until made runnable or until the deadline
// (monotonic ns, 0 = none). Interrupts must be disabled.
void sleep_until_woken(u64 deadline_ns);
u64 now_ns();
[[noreturn]] void exit_current();
// One-shot timers (alarm(), itimers, timerfds), fired at their deadline by
// the LAPIC timer interrupt. The callback runs in interrupt context.
struct Timer {
    IntrusiveListNode node;
    u64 deadline_ns { 0 };
    void (*fire)(Timer&) { nullptr };
    void* context { nullptr };
};
void add_timer(Timer& timer);
void cancel_timer(Timer& timer);
// A periodic timer that fired at `deadline` moves to its first period
// after `now`; returns how many periods it skipped (its overrun). Periodic
// timers are re-armed this way when their expiry is consumed (read, signal
// taken), as Linux does, never from the interrupt itself: a 1 us period
// would otherwise leave the CPU nothing but timer interrupts.
inline u64 forward(u64& deadline, u64 interval, u64 now) {
    u64 const missed = now >= deadline ? (now - deadline) / interval : 0;
    deadline += (missed + 1) * interval;
    return missed;
}

// Called by new threads first: completes the switch that started them.
void finish_switch();

} // namespace sched
