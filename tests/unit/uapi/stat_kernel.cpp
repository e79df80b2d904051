// uapi/stat.h against the kernel's <asm/stat.h> (x86-64 struct stat, with
// st_atime + st_atime_nsec where uapi has a timespec) and <linux/stat.h>.
// No GoogleTest here (abi_facts.h).
#include <uapi/stat.h>

#include "abi_facts.h"
#include "stat_names.h"

UAPI_RECORD_STATX()
UAPI_RECORD_TYPE(stat_layout, uapi::stat)
UAPI_STAT_FIELDS(UAPI_RECORD_FIELD, stat_layout, uapi::stat)
UAPI_RECORD_MEMBER(stat_layout, atime_sec, uapi::stat, st_atim.tv_sec)
UAPI_RECORD_MEMBER(stat_layout, atime_nsec, uapi::stat, st_atim.tv_nsec)
UAPI_RECORD_MEMBER(stat_layout, mtime_sec, uapi::stat, st_mtim.tv_sec)
UAPI_RECORD_MEMBER(stat_layout, mtime_nsec, uapi::stat, st_mtim.tv_nsec)
UAPI_RECORD_MEMBER(stat_layout, ctime_sec, uapi::stat, st_ctim.tv_sec)
UAPI_RECORD_MEMBER(stat_layout, ctime_nsec, uapi::stat, st_ctim.tv_nsec)
UAPI_RECORD_MEMBER(stat_layout, pad0, uapi::stat, _pad0)
UAPI_RECORD_MEMBER(stat_layout, unused, uapi::stat, _unused)

#include <asm/stat.h>
#include <linux/stat.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_STATX_FACTS()
    UAPI_FACT_TYPE(stat_layout, struct stat)
    UAPI_STAT_FIELDS(UAPI_FACT_FIELD, stat_layout, struct stat)
    UAPI_FACT_MEMBER(stat_layout, atime_sec, struct stat, st_atime)
    UAPI_FACT_MEMBER(stat_layout, atime_nsec, struct stat, st_atime_nsec)
    UAPI_FACT_MEMBER(stat_layout, mtime_sec, struct stat, st_mtime)
    UAPI_FACT_MEMBER(stat_layout, mtime_nsec, struct stat, st_mtime_nsec)
    UAPI_FACT_MEMBER(stat_layout, ctime_sec, struct stat, st_ctime)
    UAPI_FACT_MEMBER(stat_layout, ctime_nsec, struct stat, st_ctime_nsec)
    UAPI_FACT_MEMBER(stat_layout, pad0, struct stat, __pad0)
    UAPI_FACT_MEMBER(stat_layout, unused, struct stat, __unused)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts stat_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
