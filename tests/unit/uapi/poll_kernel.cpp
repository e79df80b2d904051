// uapi/poll.h and epoll.h against the kernel's <asm/poll.h> and
// <linux/eventpoll.h>, whose struct pollfd and epoll_event clash with
// glibc's. No GoogleTest here (abi_facts.h).
#include <uapi/epoll.h>
#include <uapi/poll.h>

#include "abi_facts.h"
#include "poll_names.h"

UAPI_RECORD_POLL()
UAPI_RECORD_CONSTANT(EPOLLNVAL) // not in glibc

#include <asm/poll.h>
#include <linux/eventpoll.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_POLL_FACTS()
    UAPI_FACT_CONSTANT(EPOLLNVAL)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts poll_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
