// uapi/utsname.h against glibc's struct utsname and the kernel's
// <linux/utsname.h>, and uapi/sysinfo.h against <sys/sysinfo.h>, which is
// glibc's name for the kernel's <linux/sysinfo.h>.
#include <uapi/sysinfo.h>
#include <uapi/utsname.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_UTSNAME_FIELDS(X, ns, T)                                                                                  \
    X(ns, T, sysname) X(ns, T, nodename) X(ns, T, release) X(ns, T, version) X(ns, T, machine) X(ns, T, domainname)

#define UAPI_SYSINFO_FIELDS(X, ns, T)                                                                                  \
    X(ns, T, uptime) X(ns, T, loads) X(ns, T, totalram) X(ns, T, freeram) X(ns, T, sharedram) X(ns, T, bufferram)      \
    X(ns, T, totalswap) X(ns, T, freeswap) X(ns, T, procs) X(ns, T, pad) X(ns, T, totalhigh) X(ns, T, freehigh)        \
    X(ns, T, mem_unit)
// clang-format on

UAPI_RECORD_TYPE(utsname_layout, uapi::new_utsname)
UAPI_UTSNAME_FIELDS(UAPI_RECORD_FIELD, utsname_layout, uapi::new_utsname)
UAPI_RECORD_TYPE(sysinfo_layout, uapi::sysinfo)
UAPI_SYSINFO_FIELDS(UAPI_RECORD_FIELD, sysinfo_layout, uapi::sysinfo)
UAPI_RECORD_CONSTANT(SI_LOAD_SHIFT)

#include <linux/utsname.h>
#include <sys/sysinfo.h>
#include <sys/utsname.h>

#include "expect_facts.h"

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_FACT_TYPE(utsname_layout, struct new_utsname)
    UAPI_UTSNAME_FIELDS(UAPI_FACT_FIELD, utsname_layout, struct new_utsname)
    UAPI_FACT_TYPE(utsname_layout, struct utsname)
    UAPI_UTSNAME_FIELDS(UAPI_FACT_FIELD, utsname_layout, struct utsname)
    UAPI_FACT_TYPE(sysinfo_layout, struct sysinfo)
    UAPI_SYSINFO_FIELDS(UAPI_FACT_FIELD, sysinfo_layout, struct sysinfo)
    UAPI_FACT_CONSTANT(SI_LOAD_SHIFT)
};
// clang-format on

TEST(UapiUtsnameSysinfo, MatchesGlibcAndKernelHeaders) { uapi_test::expect_facts(uapi_test::facts_of(kFacts)); }

TEST(UapiUtsnameSysinfo, FieldLength) { EXPECT_EQ(sizeof(uapi::new_utsname::sysname), size_t(__NEW_UTS_LEN + 1)); }

} // namespace
