// uapi/sched.h against glibc's <sched.h> and, through sched_kernel.cpp, the
// kernel's <linux/sched.h> (struct clone_args, which glibc 2.36 lacks).
#include <uapi/sched.h>

#include "abi_facts.h"
#include "sched_names.h"

UAPI_CLONE_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(SCHED_OTHER)

#include <sched.h>

#include "expect_facts.h"

namespace uapi_test {
Facts sched_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_CLONE_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(SCHED_OTHER)
};
// clang-format on

TEST(UapiSched, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiSched, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::sched_kernel_facts()); }

} // namespace
