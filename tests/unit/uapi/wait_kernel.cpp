// uapi/wait.h against the kernel's <linux/wait.h>, which clashes with
// glibc's idtype_t. No GoogleTest here (abi_facts.h).
#include <uapi/wait.h>

#include "abi_facts.h"
#include "wait_names.h"

UAPI_WAIT_CONSTANTS(UAPI_RECORD_CONSTANT)

#include <linux/wait.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_WAIT_CONSTANTS(UAPI_FACT_CONSTANT)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts wait_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
