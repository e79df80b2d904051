// uapi/limits.h against the kernel's <linux/limits.h> (which glibc's
// <limits.h> includes and then trims: it drops ARG_MAX) and
// <linux/binfmts.h>. No GoogleTest here (abi_facts.h).
#include <uapi/limits.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_KERNEL_LIMITS(X)                                                                                          \
    X(PATH_MAX) X(NAME_MAX) X(PIPE_BUF) X(NGROUPS_MAX) X(ARG_MAX) X(LINK_MAX) X(MAX_CANON) X(MAX_INPUT)                \
    X(XATTR_NAME_MAX) X(XATTR_SIZE_MAX) X(XATTR_LIST_MAX) X(RTSIG_MAX) X(MAX_ARG_STRINGS) X(BINPRM_BUF_SIZE)
// clang-format on

UAPI_KERNEL_LIMITS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(MAX_ARG_STRLEN)

#include <linux/binfmts.h>
#include <linux/limits.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_KERNEL_LIMITS(UAPI_FACT_CONSTANT)
    // linux/binfmts.h: MAX_ARG_STRLEN is PAGE_SIZE * 32, and x86-64 pages are
    // 4 KiB; PAGE_SIZE itself is not in the uapi headers.
    UAPI_FACT_VALUE(MAX_ARG_STRLEN, 4096 * 32)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts limits_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
