// uapi/futex.h against the kernel's <linux/futex.h> (glibc has no futex
// header, and this one coexists with glibc's).
#include <uapi/futex.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_FUTEX_CONSTANTS(X)                                                                                        \
    X(FUTEX_WAIT) X(FUTEX_WAKE) X(FUTEX_FD) X(FUTEX_REQUEUE) X(FUTEX_CMP_REQUEUE) X(FUTEX_WAKE_OP) X(FUTEX_LOCK_PI)    \
    X(FUTEX_UNLOCK_PI) X(FUTEX_TRYLOCK_PI) X(FUTEX_WAIT_BITSET) X(FUTEX_WAKE_BITSET) X(FUTEX_WAIT_REQUEUE_PI)          \
    X(FUTEX_CMP_REQUEUE_PI) X(FUTEX_LOCK_PI2) X(FUTEX_PRIVATE_FLAG) X(FUTEX_CLOCK_REALTIME) X(FUTEX_CMD_MASK)          \
    X(FUTEX_WAIT_PRIVATE) X(FUTEX_WAKE_PRIVATE) X(FUTEX_REQUEUE_PRIVATE) X(FUTEX_CMP_REQUEUE_PRIVATE)                  \
    X(FUTEX_WAKE_OP_PRIVATE) X(FUTEX_LOCK_PI_PRIVATE) X(FUTEX_UNLOCK_PI_PRIVATE) X(FUTEX_TRYLOCK_PI_PRIVATE)           \
    X(FUTEX_WAIT_BITSET_PRIVATE) X(FUTEX_WAKE_BITSET_PRIVATE) X(FUTEX_BITSET_MATCH_ANY) X(FUTEX_WAITERS)               \
    X(FUTEX_OWNER_DIED) X(FUTEX_TID_MASK) X(FUTEX_OP_SET) X(FUTEX_OP_ADD) X(FUTEX_OP_OR) X(FUTEX_OP_ANDN)              \
    X(FUTEX_OP_XOR) X(FUTEX_OP_OPARG_SHIFT) X(FUTEX_OP_CMP_EQ) X(FUTEX_OP_CMP_NE) X(FUTEX_OP_CMP_LT)                   \
    X(FUTEX_OP_CMP_LE) X(FUTEX_OP_CMP_GT) X(FUTEX_OP_CMP_GE) X(ROBUST_LIST_LIMIT)
// clang-format on

UAPI_FUTEX_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_TYPE(robust_list_layout, uapi::robust_list)
UAPI_RECORD_FIELD(robust_list_layout, uapi::robust_list, next)
UAPI_RECORD_TYPE(robust_list_head_layout, uapi::robust_list_head)
UAPI_RECORD_FIELD(robust_list_head_layout, uapi::robust_list_head, list)
UAPI_RECORD_FIELD(robust_list_head_layout, uapi::robust_list_head, futex_offset)
UAPI_RECORD_FIELD(robust_list_head_layout, uapi::robust_list_head, list_op_pending)

namespace {
constexpr u32 kWakeOps[] = {
    uapi::FUTEX_OP(uapi::FUTEX_OP_SET, 1, uapi::FUTEX_OP_CMP_EQ, 0),
    uapi::FUTEX_OP(uapi::FUTEX_OP_ADD, 0xfff, uapi::FUTEX_OP_CMP_GT, 0xabc),
    uapi::FUTEX_OP(uapi::FUTEX_OP_XOR | uapi::FUTEX_OP_OPARG_SHIFT, 5, uapi::FUTEX_OP_CMP_GE, 7),
};
}

#include <linux/futex.h>

#include "expect_facts.h"

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_FUTEX_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_TYPE(robust_list_layout, struct robust_list)
    UAPI_FACT_FIELD(robust_list_layout, struct robust_list, next)
    UAPI_FACT_TYPE(robust_list_head_layout, struct robust_list_head)
    UAPI_FACT_FIELD(robust_list_head_layout, struct robust_list_head, list)
    UAPI_FACT_FIELD(robust_list_head_layout, struct robust_list_head, futex_offset)
    UAPI_FACT_FIELD(robust_list_head_layout, struct robust_list_head, list_op_pending)
};
// clang-format on

TEST(UapiFutex, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::facts_of(kFacts)); }

TEST(UapiFutex, WakeOpEncodingMatchesTheMacro) {
    EXPECT_EQ(kWakeOps[0], u32(FUTEX_OP(FUTEX_OP_SET, 1, FUTEX_OP_CMP_EQ, 0)));
    EXPECT_EQ(kWakeOps[1], u32(FUTEX_OP(FUTEX_OP_ADD, 0xfff, FUTEX_OP_CMP_GT, 0xabc)));
    EXPECT_EQ(kWakeOps[2], u32(FUTEX_OP(FUTEX_OP_XOR | FUTEX_OP_OPARG_SHIFT, 5, FUTEX_OP_CMP_GE, 7)));
}

} // namespace
