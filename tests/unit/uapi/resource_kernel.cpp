// uapi/resource.h against the kernel's <linux/resource.h> (with
// asm-generic/resource.h). No GoogleTest here (abi_facts.h).
#include <uapi/resource.h>

#include "abi_facts.h"
#include "resource_names.h"

UAPI_RECORD_RESOURCE()
UAPI_RECORD_CONSTANT(RUSAGE_BOTH)

#include <linux/resource.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_RESOURCE_FACTS()
    UAPI_FACT_CONSTANT(RUSAGE_BOTH)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts resource_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
