#include <kernel/mm/user.h>
#include <kernel/proc/futex.h>
#include <kernel/proc/process.h>
#include <kernel/sched/wait_queue.h>

namespace futex {

namespace {

struct Key {
    void const* object; // the address space, the SharedMemory or the file
    u64 offset;         // the user address, or the offset in the object
    bool operator==(Key const& other) const { return object == other.object && offset == other.offset; }
};

struct FutexWaiter {
    IntrusiveListNode node;
    Key key;
    u32 bitset;
    bool woken;
    WaitQueue queue;
};

IntrusiveList<FutexWaiter, &FutexWaiter::node> g_waiters;

Key key_of(u64 address, Scope scope) {
    Process* process = Process::current();
    if (!process) return { nullptr, address };
    mm::AddressSpace& space = process->address_space();
    Key key { &space, address };
    if (scope == Scope::Private) return key;
    space.for_each_region([&](mm::Region& r) {
        if (!r.shared || !r.contains(address)) return;
        u64 const delta = address - r.start;
        if (r.memory) key = { r.memory.ptr(), r.memory_offset * mm::kPageSize + delta };
        else if (r.source && r.source->file()) key = { r.source->file(), r.source_offset + delta };
    });
    return key;
}

u32 wake_key(Key key, u32 count, u32 bitset) {
    u32 woken = 0;
    for (bool again = true; again && woken < count;) {
        again = false;
        for (FutexWaiter& w : g_waiters) {
            if (!(w.key == key) || !(w.bitset & bitset)) continue;
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

} // namespace

Result<void> wait(u64 address, Scope scope, u32 expected, u64 deadline_ns, u32 bitset) {
    if ((address & 3) || bitset == 0) return Errno(EINVAL);
    u32 value = TRY(mm::copy_from_user(UserPtr<u32>(address)));
    if (value != expected) return Errno(EAGAIN);
    FutexWaiter waiter;
    waiter.key = key_of(address, scope);
    waiter.bitset = bitset;
    waiter.woken = false;
    g_waiters.append(waiter);
    auto result = sched::wait_until(waiter.queue, [&] { return waiter.woken; }, deadline_ns);
    if (waiter.node.is_linked()) g_waiters.remove(waiter);
    if (waiter.woken) return {};
    return result;
}

u32 wake(u64 address, Scope scope, u32 count, u32 bitset) { return wake_key(key_of(address, scope), count, bitset); }

u32 requeue(u64 address, Scope scope, u32 count, u64 target, u32 max_requeue) {
    Key const from = key_of(address, scope), to = key_of(target, scope);
    u32 const woken = wake_key(from, count, kBitsetMatchAny);
    u32 moved = 0;
    for (FutexWaiter& w : g_waiters) {
        if (moved >= max_requeue) break;
        if (w.key == from) {
            w.key = to;
            moved++;
        }
    }
    return woken + moved;
}

} // namespace futex
