// uapi/prctl.h against glibc's <sys/prctl.h> (which is the kernel's
// <linux/prctl.h>) and the kernel's <asm/prctl.h>.
#include <uapi/prctl.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_PRCTL_CONSTANTS(X)                                                                                        \
    X(ARCH_SET_GS) X(ARCH_SET_FS) X(ARCH_GET_FS) X(ARCH_GET_GS) X(ARCH_GET_CPUID) X(ARCH_SET_CPUID)                    \
    X(PR_SET_PDEATHSIG) X(PR_GET_PDEATHSIG) X(PR_GET_DUMPABLE) X(PR_SET_DUMPABLE) X(PR_GET_KEEPCAPS)                   \
    X(PR_SET_KEEPCAPS) X(PR_SET_NAME) X(PR_GET_NAME) X(PR_GET_SECCOMP) X(PR_SET_SECCOMP) X(PR_CAPBSET_READ)            \
    X(PR_GET_TIMERSLACK) X(PR_SET_TIMERSLACK) X(PR_SET_CHILD_SUBREAPER) X(PR_GET_CHILD_SUBREAPER)                      \
    X(PR_SET_NO_NEW_PRIVS) X(PR_GET_NO_NEW_PRIVS) X(PR_GET_TID_ADDRESS) X(PR_SET_THP_DISABLE) X(PR_GET_THP_DISABLE)    \
    X(PR_SET_VMA)
// clang-format on

UAPI_PRCTL_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(TASK_COMM_LEN)

#include <asm/prctl.h>
#include <sys/prctl.h>

#include "expect_facts.h"

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_PRCTL_CONSTANTS(UAPI_FACT_CONSTANT)
    // include/linux/sched.h: TASK_COMM_LEN = 16 (no uapi header has it).
    UAPI_FACT_VALUE(TASK_COMM_LEN, 16)
};
// clang-format on

TEST(UapiPrctl, MatchesGlibcAndKernelHeaders) { uapi_test::expect_facts(uapi_test::facts_of(kFacts)); }

} // namespace
