// WaitQueue: threads waiting for something to change. A waiter is a small
// record on the waiting thread's stack, so one thread can wait on several
// queues at once (poll, epoll). wait_until() is the only way to block on a
// condition: it re-checks the condition with interrupts disabled before
// sleeping, so a wakeup cannot be lost, and returns EINTR when a signal
// arrives for the thread.
#pragma once

#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/sched/scheduler.h>
#include <kernel/sched/thread.h>
#include <lib/intrusive_list.h>
#include <lib/result.h>

struct Waiter {
    IntrusiveListNode node;
    Thread* thread { nullptr };
};

class WaitQueue {
public:
    void add(Waiter& waiter);
    void remove(Waiter& waiter);
    // Makes every waiting thread runnable (they re-check their condition).
    void wake_all();
    bool has_waiters() const { return !m_waiters.is_empty(); }
    // Counts wake_all() calls: edge-triggered epoll compares it.
    u64 generation() const { return m_generation; }

private:
    IntrusiveList<Waiter, &Waiter::node> m_waiters;
    u64 m_generation { 0 };
};

namespace sched {

// Blocks the current thread until condition() is true (returns ok), a
// signal is pending (EINTR), or the deadline on the monotonic clock passes
// (ETIMEDOUT; 0 means none). The condition runs with interrupts disabled.
template<typename Condition>
Result<void> wait_until(WaitQueue& queue, Condition condition, u64 deadline_ns = 0);

// The same, deaf to signals: for waits a signal must not end, such as a
// job-control stop (only SIGCONT or SIGKILL end it, via the condition).
template<typename Condition>
void wait_uninterruptible(WaitQueue& queue, Condition condition);

// Several queues at once (poll, epoll): the caller provides one Waiter per
// queue (a null queue is skipped).
template<typename Condition>
Result<void> wait_until_any(WaitQueue* const* queues, Waiter* waiters, usize count, Condition condition,
                            u64 deadline_ns = 0);

// For wait_until: whether the current thread has a signal to handle, and
// the sleep/wake primitive with an optional deadline.
bool current_has_pending_signal();
void sleep_until_woken(u64 deadline_ns);
u64 now_ns();

} // namespace sched

template<typename Condition>
Result<void> sched::wait_until(WaitQueue& queue, Condition condition, u64 deadline_ns) {
    WaitQueue* queues[1] = { &queue };
    Waiter waiter;
    return wait_until_any(queues, &waiter, 1, condition, deadline_ns);
}

template<typename Condition>
void sched::wait_uninterruptible(WaitQueue& queue, Condition condition) {
    Waiter waiter;
    for (;;) {
        bool const irqs = platform::irq_save();
        if (condition()) {
            platform::irq_restore(irqs);
            return;
        }
        waiter.thread = current();
        queue.add(waiter);
        sleep_until_woken(0);
        queue.remove(waiter);
        platform::irq_restore(irqs);
    }
}

template<typename Condition>
Result<void> sched::wait_until_any(WaitQueue* const* queues, Waiter* waiters, usize count, Condition condition,
                                   u64 deadline_ns) {
    for (;;) {
        bool const irqs = platform::irq_save();
        if (condition()) {
            platform::irq_restore(irqs);
            return {};
        }
        if (current_has_pending_signal()) {
            platform::irq_restore(irqs);
            return Errno(EINTR);
        }
        if (deadline_ns && now_ns() >= deadline_ns) {
            platform::irq_restore(irqs);
            return Errno(ETIMEDOUT);
        }
        for (usize i = 0; i < count; i++) {
            waiters[i].thread = current();
            if (queues[i]) queues[i]->add(waiters[i]);
        }
        sleep_until_woken(deadline_ns);
        for (usize i = 0; i < count; i++)
            if (queues[i]) queues[i]->remove(waiters[i]);
        platform::irq_restore(irqs);
    }
}
