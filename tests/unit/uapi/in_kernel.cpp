// uapi/in.h against the kernel's <linux/in.h>, <linux/in6.h>, <linux/tcp.h>
// and <linux/udp.h>. No GoogleTest here (abi_facts.h).
#include <uapi/in.h>

#include "abi_facts.h"
#include "in_names.h"

UAPI_RECORD_IN_COMMON()
UAPI_RECORD_CONSTANT(IP_RECVOPTS)
UAPI_RECORD_CONSTANT(IP_RETOPTS)

#include <linux/in.h>
#include <linux/in6.h>
#include <linux/tcp.h>
#include <linux/udp.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_IN_COMMON_FACTS()
    UAPI_FACT_CONSTANT(IP_RECVOPTS)
    UAPI_FACT_CONSTANT(IP_RETOPTS)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts in_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
