// uapi/socket.h against the kernel's <linux/socket.h>, <linux/un.h> and
// <asm/socket.h> (SO_* for x86-64). No GoogleTest here (abi_facts.h).
#include <uapi/socket.h>

#include "abi_facts.h"
#include "socket_names.h"

UAPI_RECORD_SOCKET_COMMON()
UAPI_RECORD_CONSTANT(UNIX_PATH_MAX)

#include <asm/socket.h>
#include <linux/socket.h>
#include <linux/un.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_SOCKET_COMMON_FACTS()
    UAPI_FACT_CONSTANT(UNIX_PATH_MAX)
    UAPI_FACT_TYPE(sockaddr_storage_layout, struct __kernel_sockaddr_storage)
    UAPI_FACT_FIELD(sockaddr_storage_layout, struct __kernel_sockaddr_storage, ss_family)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts socket_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
