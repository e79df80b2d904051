// uapi/resource.h against glibc's <sys/resource.h> and, through
// resource_kernel.cpp, the kernel's <linux/resource.h>.
#include <uapi/resource.h>

#include "abi_facts.h"
#include "resource_names.h"

UAPI_RECORD_RESOURCE()

#include <sys/resource.h>

#include "expect_facts.h"

namespace uapi_test {
Facts resource_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_RESOURCE_FACTS()
};
// clang-format on

TEST(UapiResource, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiResource, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::resource_kernel_facts()); }

} // namespace
