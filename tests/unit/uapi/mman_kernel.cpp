// uapi/mman.h against the kernel's <linux/mman.h> (asm/mman.h,
// asm-generic/mman.h, asm-generic/mman-common.h). No GoogleTest here
// (abi_facts.h).
#include <uapi/mman.h>

#include "abi_facts.h"
#include "mman_names.h"

UAPI_MMAN_COMMON_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(PROT_SEM)
UAPI_RECORD_CONSTANT(MAP_UNINITIALIZED)

#include <linux/mman.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_MMAN_COMMON_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(PROT_SEM)
    UAPI_FACT_CONSTANT(MAP_UNINITIALIZED)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts mman_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
