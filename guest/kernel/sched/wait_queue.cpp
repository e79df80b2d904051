#include <kernel/sched/scheduler.h>
#include <kernel/sched/wait_queue.h>

void WaitQueue::add(Waiter& waiter) {
    bool irqs = platform::irq_save();
    m_waiters.append(waiter);
    platform::irq_restore(irqs);
}

void WaitQueue::remove(Waiter& waiter) {
    bool irqs = platform::irq_save();
    if (waiter.node.is_linked()) m_waiters.remove(waiter);
    platform::irq_restore(irqs);
}

void WaitQueue::wake_all() {
    bool irqs = platform::irq_save();
    m_generation++;
    for (Waiter& w : m_waiters) sched::make_runnable(*w.thread);
    platform::irq_restore(irqs);
}
