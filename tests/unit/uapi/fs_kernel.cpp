// uapi/fs.h against the kernel's <linux/fs.h>, which clashes with glibc's
// <sys/mount.h>. No GoogleTest here (abi_facts.h).
#include <uapi/fs.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_FS_CONSTANTS(X)                                                                                           \
    X(BLKROGET) X(BLKGETSIZE) X(BLKFLSBUF) X(BLKSSZGET) X(BLKBSZGET) X(BLKGETSIZE64) X(BLKPBSZGET)
// clang-format on

UAPI_FS_CONSTANTS(UAPI_RECORD_CONSTANT)

#include <linux/fs.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_FS_CONSTANTS(UAPI_FACT_CONSTANT)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts fs_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
