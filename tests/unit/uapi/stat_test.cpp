// uapi/stat.h against glibc's <sys/stat.h> (whose struct stat is the
// kernel's on x86-64) and, through stat_kernel.cpp, <asm/stat.h>.
#include <uapi/stat.h>

#include "abi_facts.h"
#include "stat_names.h"

// clang-format off
#define UAPI_MODE_CONSTANTS(X)                                                                                         \
    X(S_IFMT) X(S_IFSOCK) X(S_IFLNK) X(S_IFREG) X(S_IFBLK) X(S_IFDIR) X(S_IFCHR) X(S_IFIFO) X(S_ISUID) X(S_ISGID)      \
    X(S_ISVTX) X(S_IRWXU) X(S_IRUSR) X(S_IWUSR) X(S_IXUSR) X(S_IRWXG) X(S_IRGRP) X(S_IWGRP) X(S_IXGRP) X(S_IRWXO)      \
    X(S_IROTH) X(S_IWOTH) X(S_IXOTH) X(UTIME_NOW) X(UTIME_OMIT)
// clang-format on

UAPI_MODE_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_STATX()
UAPI_RECORD_TYPE(stat_layout, uapi::stat)
UAPI_STAT_FIELDS(UAPI_RECORD_FIELD, stat_layout, uapi::stat)
UAPI_RECORD_FIELD(stat_layout, uapi::stat, st_atim)
UAPI_RECORD_FIELD(stat_layout, uapi::stat, st_mtim)
UAPI_RECORD_FIELD(stat_layout, uapi::stat, st_ctim)
UAPI_RECORD_MEMBER(stat_layout, pad0, uapi::stat, _pad0)
UAPI_RECORD_MEMBER(stat_layout, unused, uapi::stat, _unused)
UAPI_RECORD_TYPE(timespec_layout, uapi::timespec)
UAPI_RECORD_FIELD(timespec_layout, uapi::timespec, tv_sec)
UAPI_RECORD_FIELD(timespec_layout, uapi::timespec, tv_nsec)

// The S_IS* predicates over every file type, with and without permission
// bits, recorded for comparison with glibc's macros: bit n is the nth
// predicate.
namespace {

constexpr uapi::mode_t kModes[] = { 0, 0010644, 0020620, 0040755, 0060660, 0100644, 0120777, 0140755, 0170000, 07777 };
constexpr size_t kModeCount = sizeof(kModes) / sizeof(kModes[0]);

constexpr unsigned predicates(uapi::mode_t m) {
    return unsigned(uapi::S_ISREG(m)) | unsigned(uapi::S_ISDIR(m)) << 1 | unsigned(uapi::S_ISLNK(m)) << 2
        | unsigned(uapi::S_ISCHR(m)) << 3 | unsigned(uapi::S_ISBLK(m)) << 4 | unsigned(uapi::S_ISFIFO(m)) << 5
        | unsigned(uapi::S_ISSOCK(m)) << 6;
}

struct Predicates {
    unsigned bits[kModeCount];
};

constexpr Predicates kPredicates = [] {
    Predicates p {};
    for (size_t i = 0; i < kModeCount; ++i) p.bits[i] = predicates(kModes[i]);
    return p;
}();

constexpr uapi::mode_t kAllBits = uapi::S_IALLUGO;

} // namespace

#include <sys/stat.h>
#include <time.h>

#include "expect_facts.h"

namespace uapi_test {
Facts stat_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_MODE_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_STATX_FACTS()
    UAPI_FACT_TYPE(stat_layout, struct stat)
    UAPI_STAT_FIELDS(UAPI_FACT_FIELD, stat_layout, struct stat)
    UAPI_FACT_FIELD(stat_layout, struct stat, st_atim)
    UAPI_FACT_FIELD(stat_layout, struct stat, st_mtim)
    UAPI_FACT_FIELD(stat_layout, struct stat, st_ctim)
    UAPI_FACT_MEMBER(stat_layout, pad0, struct stat, __pad0)
    UAPI_FACT_MEMBER(stat_layout, unused, struct stat, __glibc_reserved)
    UAPI_FACT_TYPE(timespec_layout, struct timespec)
    UAPI_FACT_FIELD(timespec_layout, struct timespec, tv_sec)
    UAPI_FACT_FIELD(timespec_layout, struct timespec, tv_nsec)
};
// clang-format on

TEST(UapiStat, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiStat, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::stat_kernel_facts()); }

TEST(UapiStat, FileTypePredicatesMatchGlibc) {
    for (size_t i = 0; i < kModeCount; ++i) {
        mode_t m = kModes[i];
        unsigned theirs = unsigned(S_ISREG(m)) | unsigned(S_ISDIR(m)) << 1 | unsigned(S_ISLNK(m)) << 2
            | unsigned(S_ISCHR(m)) << 3 | unsigned(S_ISBLK(m)) << 4 | unsigned(S_ISFIFO(m)) << 5
            | unsigned(S_ISSOCK(m)) << 6;
        EXPECT_EQ(kPredicates.bits[i], theirs) << "mode 0" << std::oct << m;
    }
}

TEST(UapiStat, AllModeBits) { EXPECT_EQ(kAllBits, mode_t(ALLPERMS)); }

} // namespace
