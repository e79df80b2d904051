// Futexes: FUTEX_WAIT / FUTEX_WAKE (with BITSET variants), keyed by the
// address space and the user address. Enough for musl's and glibc's
// mutexes, condition variables, pthread_join and CLONE_CHILD_CLEARTID.
#pragma once

#include <lib/result.h>
#include <lib/types.h>

namespace futex {

inline constexpr u32 kBitsetMatchAny = 0xffffffff;

// Sleeps if *address == expected, until woken, the timeout (absolute
// monotonic ns, 0 = none) or a signal.
Result<void> wait(u64 address, u32 expected, u64 deadline_ns, u32 bitset);
// Wakes up to `count` waiters on address; returns how many.
u32 wake(u64 address, u32 count, u32 bitset = kBitsetMatchAny);
// FUTEX_REQUEUE / CMP_REQUEUE: wake `count`, move up to `requeue` to `target`.
u32 requeue(u64 address, u32 count, u64 target, u32 requeue);

} // namespace futex
