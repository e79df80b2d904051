// uapi/types.h: the ABI's scalar types against glibc's (which are the
// kernel's __kernel_* types on x86-64) and the kernel's timer id.
#include <uapi/types.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_SCALARS(X)                                                                                                \
    X(pid_t) X(uid_t) X(gid_t) X(mode_t) X(dev_t) X(ino_t) X(nlink_t) X(off_t) X(loff_t) X(blksize_t) X(blkcnt_t)      \
    X(time_t) X(suseconds_t) X(clock_t) X(clockid_t) X(key_t) X(socklen_t) X(sa_family_t) X(rlim_t) X(nfds_t)
// clang-format on

#define UAPI_RECORD_SCALAR(T)                                                                                          \
    static constexpr size_t scalar_size_##T = sizeof(uapi::T);                                                         \
    static constexpr bool scalar_signed_##T = std::is_signed_v<uapi::T>;

#define UAPI_FACT_SCALAR(T)                                                                                            \
    { "sizeof(" #T ")", scalar_size_##T, sizeof(T) }, { "is_signed(" #T ")", scalar_signed_##T, std::is_signed_v<T> },

UAPI_SCALARS(UAPI_RECORD_SCALAR)
UAPI_RECORD_SCALAR(timer_t)

#include <linux/posix_types.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "expect_facts.h"

namespace {

constexpr uapi_test::Fact kFacts[] = {
    UAPI_SCALARS(UAPI_FACT_SCALAR)
    // glibc's timer_t is a pointer; the syscalls take the kernel's int id.
    { "sizeof(timer_t)", scalar_size_timer_t, sizeof(__kernel_timer_t) },
    { "is_signed(timer_t)", scalar_signed_timer_t, std::is_signed_v<__kernel_timer_t> },
};

TEST(UapiTypes, MatchGlibcAndKernelHeaders) { uapi_test::expect_facts(uapi_test::facts_of(kFacts)); }

} // namespace
