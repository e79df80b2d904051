// uapi/random.h and uio.h against glibc's <sys/random.h> and <sys/uio.h>
// and, through random_uio_kernel.cpp, the kernel's <linux/random.h>,
// <linux/uio.h> and <linux/fs.h> (RWF_*).
#include <uapi/random.h>
#include <uapi/uio.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_RANDOM_CONSTANTS(X) X(GRND_NONBLOCK) X(GRND_RANDOM) X(GRND_INSECURE)
#define UAPI_RWF_CONSTANTS(X) X(RWF_HIPRI) X(RWF_DSYNC) X(RWF_SYNC) X(RWF_NOWAIT) X(RWF_APPEND)
#define UAPI_IOVEC_FIELDS(X, ns, T) X(ns, T, iov_base) X(ns, T, iov_len)
// clang-format on

UAPI_RANDOM_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RWF_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(UIO_MAXIOV)
UAPI_RECORD_TYPE(iovec_layout, uapi::iovec)
UAPI_IOVEC_FIELDS(UAPI_RECORD_FIELD, iovec_layout, uapi::iovec)

#include <limits.h>
#include <sys/random.h>
#include <sys/uio.h>

#include "expect_facts.h"

namespace uapi_test {
Facts random_uio_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_RANDOM_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_RWF_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_VALUE(UIO_MAXIOV, IOV_MAX)
    UAPI_FACT_TYPE(iovec_layout, struct iovec)
    UAPI_IOVEC_FIELDS(UAPI_FACT_FIELD, iovec_layout, struct iovec)
};
// clang-format on

TEST(UapiRandomUio, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiRandomUio, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::random_uio_kernel_facts()); }

} // namespace
