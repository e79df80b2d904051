// uapi/poll.h, epoll.h, eventfd.h and select.h against glibc's <poll.h>,
// <sys/epoll.h>, <sys/eventfd.h> and <sys/select.h>, the kernel's
// <linux/posix_types.h> (which glibc's headers already include) and, through
// poll_kernel.cpp, <asm/poll.h> and <linux/eventpoll.h>. eventfd has no uapi
// header: the kernel defines EFD_* in include/linux/eventfd.h as O_* values.
#include <uapi/epoll.h>
#include <uapi/eventfd.h>
#include <uapi/poll.h>
#include <uapi/select.h>

#include "abi_facts.h"
#include "poll_names.h"

// clang-format off
#define UAPI_EVENTFD_CONSTANTS(X) X(EFD_SEMAPHORE) X(EFD_CLOEXEC) X(EFD_NONBLOCK)
// clang-format on

UAPI_RECORD_POLL()
UAPI_EVENTFD_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(FD_SETSIZE)
UAPI_RECORD_TYPE(fd_set_layout, uapi::fd_set)
UAPI_RECORD_FIELD(fd_set_layout, uapi::fd_set, fds_bits)

#include <linux/posix_types.h>
#include <poll.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/select.h>

#include "expect_facts.h"

namespace uapi_test {
Facts poll_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_POLL_FACTS()
    UAPI_EVENTFD_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(FD_SETSIZE)
    UAPI_FACT_TYPE(fd_set_layout, fd_set)
    UAPI_FACT_FIELD(fd_set_layout, fd_set, fds_bits)
    UAPI_FACT_TYPE(fd_set_layout, __kernel_fd_set)
    UAPI_FACT_FIELD(fd_set_layout, __kernel_fd_set, fds_bits)
    UAPI_FACT_VALUE(FD_SETSIZE, __FD_SETSIZE)
};
// clang-format on

TEST(UapiPoll, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiPoll, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::poll_kernel_facts()); }

// fd n is bit n % 64 of word n / 64, as glibc's FD_SET sets it.
TEST(UapiPoll, FdSetBitOrder) {
    int const fds[] = { 0, 1, 63, 64, 65, 700, 1023 };
    for (int fd : fds) {
        fd_set theirs;
        FD_ZERO(&theirs);
        FD_SET(fd, &theirs);
        uapi::fd_set ours {};
        ours.fds_bits[fd / 64] |= u64(1) << (fd % 64);
        EXPECT_EQ(memcmp(&ours, &theirs, sizeof(ours)), 0) << "fd " << fd;
    }
}

} // namespace
