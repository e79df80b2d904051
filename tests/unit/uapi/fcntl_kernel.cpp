// uapi/fcntl.h against the kernel's headers: <linux/fcntl.h> (with
// asm-generic/fcntl.h) and <linux/fs.h>. No GoogleTest here: it would pull in
// glibc's <fcntl.h>-adjacent headers, which clash with these (abi_facts.h).
#include <uapi/fcntl.h>

#include "abi_facts.h"
#include "fcntl_names.h"

UAPI_FCNTL_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(O_LARGEFILE)
UAPI_RECORD_CONSTANT(AT_RECURSIVE)
UAPI_RECORD_CONSTANT(F_LINUX_SPECIFIC_BASE)
UAPI_RECORD_TYPE(flock_layout, uapi::flock)
UAPI_FLOCK_FIELDS(UAPI_RECORD_FIELD, flock_layout, uapi::flock)

#include <linux/fcntl.h>
#include <linux/fs.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_FCNTL_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(O_LARGEFILE)
    UAPI_FACT_CONSTANT(AT_RECURSIVE)
    UAPI_FACT_CONSTANT(F_LINUX_SPECIFIC_BASE)
    UAPI_FACT_TYPE(flock_layout, struct flock)
    UAPI_FLOCK_FIELDS(UAPI_FACT_FIELD, flock_layout, struct flock)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts fcntl_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
