// futex(2) operations and flags, and the robust-list ABI of
// set_robust_list(2) (linux/futex.h).
#pragma once

#include <uapi/types.h>

#if defined(FUTEX_WAIT) || defined(FUTEX_BITSET_MATCH_ANY)
#error "<uapi/futex.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

// The operation is futex_op & FUTEX_CMD_MASK.
inline constexpr int FUTEX_WAIT = 0;
inline constexpr int FUTEX_WAKE = 1;
inline constexpr int FUTEX_FD = 2;
inline constexpr int FUTEX_REQUEUE = 3;
inline constexpr int FUTEX_CMP_REQUEUE = 4;
inline constexpr int FUTEX_WAKE_OP = 5;
inline constexpr int FUTEX_LOCK_PI = 6;
inline constexpr int FUTEX_UNLOCK_PI = 7;
inline constexpr int FUTEX_TRYLOCK_PI = 8;
inline constexpr int FUTEX_WAIT_BITSET = 9;
inline constexpr int FUTEX_WAKE_BITSET = 10;
inline constexpr int FUTEX_WAIT_REQUEUE_PI = 11;
inline constexpr int FUTEX_CMP_REQUEUE_PI = 12;
inline constexpr int FUTEX_LOCK_PI2 = 13;

// The futex word is private to this address space: key it by address, not
// by the backing object. libc sets it for every non-shared lock.
inline constexpr int FUTEX_PRIVATE_FLAG = 128;
// FUTEX_WAIT_BITSET's absolute timeout is CLOCK_REALTIME, not MONOTONIC.
inline constexpr int FUTEX_CLOCK_REALTIME = 256;
inline constexpr int FUTEX_CMD_MASK = ~(FUTEX_PRIVATE_FLAG | FUTEX_CLOCK_REALTIME);

inline constexpr int FUTEX_WAIT_PRIVATE = FUTEX_WAIT | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_WAKE_PRIVATE = FUTEX_WAKE | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_REQUEUE_PRIVATE = FUTEX_REQUEUE | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_CMP_REQUEUE_PRIVATE = FUTEX_CMP_REQUEUE | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_WAKE_OP_PRIVATE = FUTEX_WAKE_OP | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_LOCK_PI_PRIVATE = FUTEX_LOCK_PI | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_UNLOCK_PI_PRIVATE = FUTEX_UNLOCK_PI | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_TRYLOCK_PI_PRIVATE = FUTEX_TRYLOCK_PI | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_WAIT_BITSET_PRIVATE = FUTEX_WAIT_BITSET | FUTEX_PRIVATE_FLAG;
inline constexpr int FUTEX_WAKE_BITSET_PRIVATE = FUTEX_WAKE_BITSET | FUTEX_PRIVATE_FLAG;

// FUTEX_WAIT and FUTEX_WAKE behave as the bitset operations with this mask.
inline constexpr u32 FUTEX_BITSET_MATCH_ANY = 0xffffffff;

// The futex word of a PI or robust lock: the owner's tid plus two flags.
inline constexpr u32 FUTEX_WAITERS = 0x80000000;
inline constexpr u32 FUTEX_OWNER_DIED = 0x40000000;
inline constexpr u32 FUTEX_TID_MASK = 0x3fffffff;

// FUTEX_WAKE_OP's encoded operation (FUTEX_OP(op, oparg, cmp, cmparg)).
inline constexpr int FUTEX_OP_SET = 0;
inline constexpr int FUTEX_OP_ADD = 1;
inline constexpr int FUTEX_OP_OR = 2;
inline constexpr int FUTEX_OP_ANDN = 3;
inline constexpr int FUTEX_OP_XOR = 4;
inline constexpr int FUTEX_OP_OPARG_SHIFT = 8; // oparg is a shift count: use 1 << oparg
inline constexpr int FUTEX_OP_CMP_EQ = 0;
inline constexpr int FUTEX_OP_CMP_NE = 1;
inline constexpr int FUTEX_OP_CMP_LT = 2;
inline constexpr int FUTEX_OP_CMP_LE = 3;
inline constexpr int FUTEX_OP_CMP_GT = 4;
inline constexpr int FUTEX_OP_CMP_GE = 5;

constexpr u32 FUTEX_OP(u32 op, u32 oparg, u32 cmp, u32 cmparg) {
    return ((op & 0xf) << 28) | ((cmp & 0xf) << 24) | ((oparg & 0xfff) << 12) | (cmparg & 0xfff);
}

// set_robust_list(2). Each held robust lock is a user struct whose first
// word links it into a circular list starting at robust_list_head::list; the
// futex word sits futex_offset bytes from that link. At exit the kernel walks
// at most ROBUST_LIST_LIMIT entries, sets FUTEX_OWNER_DIED in each word the
// thread still owns and wakes a waiter. All pointers are user addresses.
struct robust_list {
    u64 next;
};

struct robust_list_head {
    robust_list list; // points back to itself when empty
    i64 futex_offset;
    u64 list_op_pending; // a lock being taken or released right now
};
static_assert(sizeof(robust_list_head) == 24);

inline constexpr int ROBUST_LIST_LIMIT = 2048;

} // namespace uapi
