// Futexes: FUTEX_WAIT / FUTEX_WAKE (with BITSET variants) and REQUEUE.
// Enough for musl's and glibc's mutexes, condition variables, semaphores,
// pthread_join and CLONE_CHILD_CLEARTID.
//
// A futex is named by a key, as Linux's get_futex_key makes it: with
// FUTEX_PRIVATE_FLAG, or for memory private to the address space, the
// address space and the user address; otherwise, for MAP_SHARED memory, the
// shared object (the anonymous memory or the file) and the offset in it, so
// that every process mapping the page -- at any address -- finds the same
// futex. Waiters live on one list (one CPU; interrupts are the only
// concurrency, and they never touch it).
#pragma once

#include <lib/result.h>
#include <lib/types.h>

namespace futex {

inline constexpr u32 kBitsetMatchAny = 0xffffffff;

enum class Scope { Private, Shared };

// Sleeps if *address == expected, until woken, the timeout (absolute
// monotonic ns, 0 = none) or a signal.
Result<void> wait(u64 address, Scope scope, u32 expected, u64 deadline_ns, u32 bitset);
// Wakes up to `count` waiters on address; returns how many.
u32 wake(u64 address, Scope scope, u32 count, u32 bitset = kBitsetMatchAny);
// FUTEX_REQUEUE / CMP_REQUEUE: wake `count`, move up to `requeue` to
// `target`; returns how many were woken or moved.
u32 requeue(u64 address, Scope scope, u32 count, u64 target, u32 requeue);

// A thread leaves (exit, or exec): every robust mutex on its robust list
// (set_robust_list) that it still owns is marked FUTEX_OWNER_DIED and one
// waiter woken, so the next locker gets EOWNERDEAD. Runs in the dying
// thread's address space; a bad list is simply abandoned, as on Linux.
void release_robust_list(u64 head, u32 tid);

} // namespace futex
