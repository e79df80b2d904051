// uapi/fcntl.h against glibc (<fcntl.h>, <unistd.h>, <stdio.h>) and, through
// fcntl_kernel.cpp, the kernel's <linux/fcntl.h>.
#include <uapi/fcntl.h>

#include "abi_facts.h"
#include "fcntl_names.h"

UAPI_FCNTL_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(O_ASYNC)
UAPI_RECORD_CONSTANT(F_OK)
UAPI_RECORD_CONSTANT(X_OK)
UAPI_RECORD_CONSTANT(W_OK)
UAPI_RECORD_CONSTANT(R_OK)
UAPI_RECORD_TYPE(flock_layout, uapi::flock)
UAPI_FLOCK_FIELDS(UAPI_RECORD_FIELD, flock_layout, uapi::flock)

#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "expect_facts.h"

namespace uapi_test {
Facts fcntl_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_FCNTL_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(O_ASYNC)
    UAPI_FACT_CONSTANT(F_OK)
    UAPI_FACT_CONSTANT(X_OK)
    UAPI_FACT_CONSTANT(W_OK)
    UAPI_FACT_CONSTANT(R_OK)
    UAPI_FACT_TYPE(flock_layout, struct flock)
    UAPI_FLOCK_FIELDS(UAPI_FACT_FIELD, flock_layout, struct flock)
};
// clang-format on

TEST(UapiFcntl, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiFcntl, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::fcntl_kernel_facts()); }

} // namespace
