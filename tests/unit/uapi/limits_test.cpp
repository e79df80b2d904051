// uapi/limits.h against glibc's <limits.h> and, through limits_kernel.cpp,
// the kernel's <linux/limits.h> and <linux/binfmts.h>.
#include <uapi/limits.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_GLIBC_LIMITS(X)                                                                                           \
    X(PATH_MAX) X(NAME_MAX) X(PIPE_BUF) X(NGROUPS_MAX) X(HOST_NAME_MAX) X(LOGIN_NAME_MAX) X(XATTR_NAME_MAX)            \
    X(XATTR_SIZE_MAX) X(XATTR_LIST_MAX) X(RTSIG_MAX) X(IOV_MAX) X(MAX_CANON) X(MAX_INPUT)
// clang-format on

UAPI_GLIBC_LIMITS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(SYMLOOP_MAX)

#include <limits.h>

#include "expect_facts.h"

namespace uapi_test {
Facts limits_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_GLIBC_LIMITS(UAPI_FACT_CONSTANT)
    // include/linux/namei.h: MAXSYMLINKS 40. glibc only has POSIX's minimum.
    UAPI_FACT_VALUE(SYMLOOP_MAX, 40)
};
// clang-format on

TEST(UapiLimits, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiLimits, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::limits_kernel_facts()); }

TEST(UapiLimits, AtLeastPosixMinimums) {
    EXPECT_GE(ours_SYMLOOP_MAX, size_t(_POSIX_SYMLOOP_MAX));
    EXPECT_GE(ours_PATH_MAX, size_t(_POSIX_PATH_MAX));
    EXPECT_GE(ours_PIPE_BUF, size_t(_POSIX_PIPE_BUF));
}

} // namespace
