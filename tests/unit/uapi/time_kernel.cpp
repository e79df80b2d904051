// uapi/time.h against the kernel's <linux/time.h>, whose struct timespec
// clashes with glibc's, and the y2038-proof types of <linux/time_types.h>,
// which on x86-64 have the same layout. No GoogleTest here (abi_facts.h).
#include <uapi/time.h>

#include "abi_facts.h"
#include "time_names.h"

UAPI_RECORD_TIME()

#include <linux/time.h>
#include <linux/time_types.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_TIME_FACTS()
    UAPI_FACT_TYPE(timespec_layout, struct __kernel_timespec)
    UAPI_TIMESPEC_FIELDS(UAPI_FACT_FIELD, timespec_layout, struct __kernel_timespec)
    UAPI_FACT_TYPE(timeval_layout, struct __kernel_old_timeval)
    UAPI_TIMEVAL_FIELDS(UAPI_FACT_FIELD, timeval_layout, struct __kernel_old_timeval)
    UAPI_FACT_TYPE(itimerspec_layout, struct __kernel_itimerspec)
    UAPI_INTERVAL_FIELDS(UAPI_FACT_FIELD, itimerspec_layout, struct __kernel_itimerspec)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts time_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
