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

namespace {

constexpr u32 FUTEX_WAITERS = 0x80000000, FUTEX_OWNER_DIED = 0x40000000, FUTEX_TID_MASK = 0x3fffffff;
constexpr int kRobustListLimit = 2048; // Linux's ROBUST_LIST_LIMIT: a cyclic list ends

struct RobustListHead {
    u64 next;            // the first entry (bit 0: a PI futex), or the head itself
    i64 futex_offset;    // from an entry to its futex word
    u64 list_op_pending; // an entry being locked or unlocked right now
};

// Linux's handle_futex_death, for an entry whose word is at `address`.
void owner_died(u64 address, u32 tid, bool pending) {
    if (address & 3) return;
    auto word = mm::copy_from_user(UserPtr<u32>(address));
    if (word.is_error()) return;
    u32 const value = word.value();
    // A lock being taken when the thread died: its owner never got the
    // word, but a waiter may have been skipped; wake one.
    if (pending && value == 0) {
        wake(address, Scope::Shared, 1);
        return;
    }
    if ((value & FUTEX_TID_MASK) != tid) return;
    u32 const died = (value & FUTEX_WAITERS) | FUTEX_OWNER_DIED;
    if (mm::copy_to_user(UserPtr<u32>(address), died).is_error()) return;
    if (value & FUTEX_WAITERS) wake(address, Scope::Shared, 1);
}

} // namespace

void release_robust_list(u64 head_address, u32 tid) {
    if (!head_address) return;
    auto head = mm::copy_from_user(UserPtr<RobustListHead>(head_address));
    if (head.is_error()) return;
    u64 const pending = head.value().list_op_pending & ~u64(1);
    i64 const offset = head.value().futex_offset;
    u64 entry = head.value().next & ~u64(1);
    for (int i = 0; i < kRobustListLimit && entry != head_address; i++) {
        // Read the next entry first: the word's owner may reuse this one.
        auto next = mm::copy_from_user(UserPtr<u64>(entry));
        if (next.is_error()) return;
        if (entry != pending) owner_died(entry + u64(offset), tid, false);
        entry = next.value() & ~u64(1);
    }
    if (pending) owner_died(pending + u64(offset), tid, true);
}

} // namespace futex
