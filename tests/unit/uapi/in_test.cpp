// uapi/in.h against glibc's <netinet/in.h>, <netinet/tcp.h> and
// <netinet/udp.h> and, through in_kernel.cpp, the kernel's <linux/in.h>,
// <linux/in6.h>, <linux/tcp.h> and <linux/udp.h>. Our struct tcp_info is
// the start of the kernel's (its size is checked against the kernel's own
// first part, not compared); sockaddr_in is the glibc one, the kernel's
// being the same bytes under __UAPI_DEF guards.
#include <uapi/in.h>

#include "abi_facts.h"
#include "in_names.h"

UAPI_RECORD_IN_COMMON()
UAPI_RECORD_CONSTANT(SOL_IP)
UAPI_RECORD_CONSTANT(SOL_IPV6)
UAPI_RECORD_CONSTANT(SOL_TCP)
UAPI_RECORD_CONSTANT(SOL_UDP)
UAPI_RECORD_CONSTANT(INADDR_ANY)
UAPI_RECORD_CONSTANT(INADDR_BROADCAST)
UAPI_RECORD_CONSTANT(INADDR_LOOPBACK)
UAPI_RECORD_CONSTANT(SIN6_LEN_RFC2133)
UAPI_RECORD_TYPE(sockaddr_in_layout, uapi::sockaddr_in)
UAPI_SOCKADDR_IN_FIELDS(UAPI_RECORD_FIELD, sockaddr_in_layout, uapi::sockaddr_in)

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <netinet/udp.h>

#include "expect_facts.h"

namespace uapi_test {
Facts in_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_IN_COMMON_FACTS()
    UAPI_FACT_CONSTANT(SOL_IP)
    UAPI_FACT_CONSTANT(SOL_IPV6)
    UAPI_FACT_CONSTANT(SOL_TCP)
    UAPI_FACT_CONSTANT(SOL_UDP)
    UAPI_FACT_CONSTANT(INADDR_ANY)
    UAPI_FACT_CONSTANT(INADDR_BROADCAST)
    UAPI_FACT_CONSTANT(INADDR_LOOPBACK)
    // include/net/ipv6.h; not in glibc.
    UAPI_FACT_VALUE(SIN6_LEN_RFC2133, 24)
    UAPI_FACT_TYPE(sockaddr_in_layout, struct sockaddr_in)
    UAPI_SOCKADDR_IN_FIELDS(UAPI_FACT_FIELD, sockaddr_in_layout, struct sockaddr_in)
};
// clang-format on

TEST(UapiIn, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiIn, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::in_kernel_facts()); }

} // namespace
