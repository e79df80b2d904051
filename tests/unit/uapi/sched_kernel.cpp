// uapi/sched.h against the kernel's <linux/sched.h>. No GoogleTest here
// (abi_facts.h).
#include <uapi/sched.h>

#include "abi_facts.h"
#include "sched_names.h"

// clang-format off
#define UAPI_CLONE_ARGS_FIELDS(X, ns, T)                                                                               \
    X(ns, T, flags) X(ns, T, pidfd) X(ns, T, child_tid) X(ns, T, parent_tid) X(ns, T, exit_signal) X(ns, T, stack)     \
    X(ns, T, stack_size) X(ns, T, tls) X(ns, T, set_tid) X(ns, T, set_tid_size) X(ns, T, cgroup)
// clang-format on

UAPI_CLONE_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(CLONE_CLEAR_SIGHAND)
UAPI_RECORD_CONSTANT(CLONE_INTO_CGROUP)
UAPI_RECORD_CONSTANT(CLONE_ARGS_SIZE_VER0)
UAPI_RECORD_CONSTANT(CLONE_ARGS_SIZE_VER1)
UAPI_RECORD_CONSTANT(CLONE_ARGS_SIZE_VER2)
UAPI_RECORD_CONSTANT(SCHED_NORMAL)
UAPI_RECORD_TYPE(clone_args_layout, uapi::clone_args)
UAPI_CLONE_ARGS_FIELDS(UAPI_RECORD_FIELD, clone_args_layout, uapi::clone_args)

#include <linux/sched.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_CLONE_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(CLONE_CLEAR_SIGHAND)
    UAPI_FACT_CONSTANT(CLONE_INTO_CGROUP)
    UAPI_FACT_CONSTANT(CLONE_ARGS_SIZE_VER0)
    UAPI_FACT_CONSTANT(CLONE_ARGS_SIZE_VER1)
    UAPI_FACT_CONSTANT(CLONE_ARGS_SIZE_VER2)
    UAPI_FACT_CONSTANT(SCHED_NORMAL)
    UAPI_FACT_TYPE(clone_args_layout, struct clone_args)
    UAPI_CLONE_ARGS_FIELDS(UAPI_FACT_FIELD, clone_args_layout, struct clone_args)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts sched_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
