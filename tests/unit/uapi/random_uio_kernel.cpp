// uapi/random.h and uio.h against the kernel's <linux/random.h>,
// <linux/uio.h> (whose struct iovec clashes with glibc's) and <linux/fs.h>.
// No GoogleTest here (abi_facts.h).
#include <uapi/random.h>
#include <uapi/uio.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_KERNEL_UIO_CONSTANTS(X)                                                                                   \
    X(GRND_NONBLOCK) X(GRND_RANDOM) X(GRND_INSECURE) X(UIO_MAXIOV) X(UIO_FASTIOV) X(RWF_HIPRI) X(RWF_DSYNC)            \
    X(RWF_SYNC) X(RWF_NOWAIT) X(RWF_APPEND)
#define UAPI_IOVEC_FIELDS(X, ns, T) X(ns, T, iov_base) X(ns, T, iov_len)
// clang-format on

UAPI_KERNEL_UIO_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_TYPE(iovec_layout, uapi::iovec)
UAPI_IOVEC_FIELDS(UAPI_RECORD_FIELD, iovec_layout, uapi::iovec)

#include <linux/fs.h>
#include <linux/random.h>
#include <linux/uio.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_KERNEL_UIO_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_TYPE(iovec_layout, struct iovec)
    UAPI_IOVEC_FIELDS(UAPI_FACT_FIELD, iovec_layout, struct iovec)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts random_uio_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
