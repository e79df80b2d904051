// uapi/mman.h against glibc's <sys/mman.h> and, through mman_kernel.cpp,
// the kernel's <linux/mman.h>.
#include <uapi/mman.h>

#include "abi_facts.h"
#include "mman_names.h"

UAPI_MMAN_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(MAP_ANON)
UAPI_RECORD_CONSTANT(MAP_FAILED)

#include <sys/mman.h>

#include "expect_facts.h"

namespace uapi_test {
Facts mman_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_MMAN_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(MAP_ANON)
};
// clang-format on

TEST(UapiMman, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiMman, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::mman_kernel_facts()); }

TEST(UapiMman, MapFailed) { EXPECT_EQ(ours_MAP_FAILED, reinterpret_cast<u64>(MAP_FAILED)); }

} // namespace
