#include <kernel/mm/user.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/process.h>
#include <kernel/sched/wait_queue.h>

namespace futex {

namespace {

struct FutexWaiter {
    IntrusiveListNode node;
    void* space; // the key: address space + address
    u64 address;
    u32 bitset;
    bool woken;
    WaitQueue queue;
};

IntrusiveList<FutexWaiter, &FutexWaiter::node> g_waiters;

void* current_space() {
    Process* p = Process::current();
    return p ? &p->address_space() : nullptr;
}

} // namespace

Result<void> wait(u64 address, u32 expected, u64 deadline_ns, u32 bitset) {
    if ((address & 3) || bitset == 0) return Errno(EINVAL);
    u32 value = TRY(mm::copy_from_user(UserPtr<u32>(address)));
    if (value != expected) return Errno(EAGAIN);
    FutexWaiter waiter;
    waiter.space = current_space();
    waiter.address = address;
    waiter.bitset = bitset;
    waiter.woken = false;
    g_waiters.append(waiter);
    auto result = sched::wait_until(waiter.queue, [&] { return waiter.woken; }, deadline_ns);
    if (waiter.node.is_linked()) g_waiters.remove(waiter);
    if (waiter.woken) return {};
    return result;
}

u32 wake(u64 address, u32 count, u32 bitset) {
    void* space = current_space();
    u32 woken = 0;
    for (bool again = true; again && woken < count;) {
        again = false;
        for (FutexWaiter& w : g_waiters) {
            if (w.space != space || w.address != address || !(w.bitset & bitset)) continue;
            g_waiters.remove(w);
            w.woken = true;
            w.queue.wake_all();
            woken++;
            again = true;
            break; // the list changed: rescan
        }
    }
    return woken;
}

u32 requeue(u64 address, u32 count, u64 target, u32 max_requeue) {
    u32 woken = wake(address, count);
    void* space = current_space();
    u32 moved = 0;
    for (FutexWaiter& w : g_waiters) {
        if (moved >= max_requeue) break;
        if (w.space == space && w.address == address) {
            w.address = target;
            moved++;
        }
    }
    return woken + moved;
}

} // namespace futex
