// uapi/fs.h against glibc's <sys/mount.h> (which repeats the block-device
// ioctls it has) and, through fs_kernel.cpp, the kernel's <linux/fs.h>.
#include <uapi/fs.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_FS_GLIBC_CONSTANTS(X)                                                                                     \
    X(BLKROGET) X(BLKGETSIZE) X(BLKFLSBUF) X(BLKSSZGET) X(BLKBSZGET) X(BLKGETSIZE64)
// clang-format on

UAPI_FS_GLIBC_CONSTANTS(UAPI_RECORD_CONSTANT)

#include <sys/mount.h>

#include "expect_facts.h"

namespace uapi_test {
Facts fs_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_FS_GLIBC_CONSTANTS(UAPI_FACT_CONSTANT)
};
// clang-format on

TEST(UapiFs, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiFs, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::fs_kernel_facts()); }

} // namespace
