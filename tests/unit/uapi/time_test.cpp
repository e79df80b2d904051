// uapi/time.h against glibc's <time.h> and <sys/time.h> and, through
// time_kernel.cpp, the kernel's <linux/time.h> and <linux/time_types.h>.
#include <uapi/time.h>

#include "abi_facts.h"
#include "time_names.h"

UAPI_RECORD_TIME()

#include <sys/time.h>
#include <time.h>

#include "expect_facts.h"

namespace uapi_test {
Facts time_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_TIME_FACTS()
};
// clang-format on

TEST(UapiTime, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiTime, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::time_kernel_facts()); }

} // namespace
