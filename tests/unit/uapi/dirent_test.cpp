// uapi/dirent.h against glibc's <dirent.h>. The kernel exports no header for
// struct linux_dirent64 (it is in include/linux/dirent.h); glibc's struct
// dirent64 is the same record, with d_name[256] at byte 19.
#include <uapi/dirent.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_DIRENT_CONSTANTS(X)                                                                                       \
    X(DT_UNKNOWN) X(DT_FIFO) X(DT_CHR) X(DT_DIR) X(DT_BLK) X(DT_REG) X(DT_LNK) X(DT_SOCK) X(DT_WHT)

#define UAPI_DIRENT_FIELDS(X, ns, T) X(ns, T, d_ino) X(ns, T, d_off) X(ns, T, d_reclen) X(ns, T, d_type)
// clang-format on

UAPI_DIRENT_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_DIRENT_FIELDS(UAPI_RECORD_FIELD, dirent_layout, uapi::linux_dirent64)

namespace {
constexpr size_t kNameOffset = uapi::kLinuxDirent64NameOffset;
constexpr size_t kReclens[] = { uapi::linux_dirent64_reclen(0), uapi::linux_dirent64_reclen(1),
    uapi::linux_dirent64_reclen(4), uapi::linux_dirent64_reclen(5), uapi::linux_dirent64_reclen(12),
    uapi::linux_dirent64_reclen(13), uapi::linux_dirent64_reclen(255) };
constexpr unsigned kTypeOfMode[] = { uapi::IFTODT(0100644), uapi::IFTODT(0040755), uapi::IFTODT(0120777),
    uapi::IFTODT(0020666), uapi::IFTODT(0060660), uapi::IFTODT(0010600), uapi::IFTODT(0140777) };
constexpr unsigned kModeOfType = uapi::DTTOIF(uapi::DT_DIR);
} // namespace

#include <dirent.h>
#include <sys/stat.h>

#include "expect_facts.h"

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_DIRENT_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_DIRENT_FIELDS(UAPI_FACT_FIELD, dirent_layout, struct dirent64)
};
// clang-format on

TEST(UapiDirent, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiDirent, NameFollowsTheHeader) { EXPECT_EQ(kNameOffset, offsetof(struct dirent64, d_name)); }

// getdents64(2) pads each record to 8 bytes, NUL included (fs/readdir.c).
TEST(UapiDirent, RecordLength) {
    EXPECT_EQ(kReclens[0], 24u);
    EXPECT_EQ(kReclens[1], 24u);
    EXPECT_EQ(kReclens[2], 24u);
    EXPECT_EQ(kReclens[3], 32u);
    EXPECT_EQ(kReclens[4], 32u);
    EXPECT_EQ(kReclens[5], 40u);
    EXPECT_EQ(kReclens[6], 280u);
}

TEST(UapiDirent, TypeFromModeMatchesGlibc) {
    unsigned const theirs[] = { IFTODT(0100644), IFTODT(0040755), IFTODT(0120777), IFTODT(0020666), IFTODT(0060660),
        IFTODT(0010600), IFTODT(0140777) };
    for (size_t i = 0; i < sizeof(theirs) / sizeof(theirs[0]); ++i) EXPECT_EQ(kTypeOfMode[i], theirs[i]) << i;
    EXPECT_EQ(kModeOfType, unsigned(DTTOIF(DT_DIR)));
    EXPECT_EQ(kModeOfType, unsigned(S_IFDIR));
}

} // namespace
