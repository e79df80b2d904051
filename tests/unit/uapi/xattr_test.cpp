// uapi/xattr.h against glibc's <sys/xattr.h> (the flags) and the kernel's
// <linux/xattr.h> (the namespace prefixes and the POSIX ACL names), which
// agree with each other through <linux/libc-compat.h>.
#include <uapi/xattr.h>

#include "abi_facts.h"

// clang-format off
#define UAPI_XATTR_FLAGS(X) X(XATTR_CREATE) X(XATTR_REPLACE)
#define UAPI_XATTR_PREFIXES(X)                                                                                         \
    X(XATTR_HURD_PREFIX) X(XATTR_SECURITY_PREFIX) X(XATTR_SYSTEM_PREFIX) X(XATTR_TRUSTED_PREFIX) X(XATTR_USER_PREFIX)
#define UAPI_XATTR_PREFIX_LENGTHS(X)                                                                                   \
    X(XATTR_HURD_PREFIX_LEN) X(XATTR_SECURITY_PREFIX_LEN) X(XATTR_SYSTEM_PREFIX_LEN) X(XATTR_TRUSTED_PREFIX_LEN)       \
    X(XATTR_USER_PREFIX_LEN)
#define UAPI_XATTR_NAMES(X) X(XATTR_NAME_POSIX_ACL_ACCESS) X(XATTR_NAME_POSIX_ACL_DEFAULT)
// clang-format on

// The strings, recorded as the constants are (phase 1 of abi_facts.h).
#define UAPI_RECORD_STRING(name) static constexpr char const* ours_##name = uapi::name;

UAPI_XATTR_FLAGS(UAPI_RECORD_CONSTANT)
UAPI_XATTR_PREFIX_LENGTHS(UAPI_RECORD_CONSTANT)
UAPI_XATTR_PREFIXES(UAPI_RECORD_STRING)
UAPI_XATTR_NAMES(UAPI_RECORD_STRING)

#include <linux/xattr.h>
#include <sys/xattr.h>

#include "expect_facts.h"

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_XATTR_FLAGS(UAPI_FACT_CONSTANT)
    UAPI_XATTR_PREFIX_LENGTHS(UAPI_FACT_CONSTANT)
};
// clang-format on

TEST(UapiXattr, MatchesGlibcAndKernelHeaders) { uapi_test::expect_facts(uapi_test::facts_of(kFacts)); }

TEST(UapiXattr, PrefixesAndNamesMatchTheKernel)
{
#define UAPI_EXPECT_STRING(name) EXPECT_STREQ(ours_##name, name) << #name;
    UAPI_XATTR_PREFIXES(UAPI_EXPECT_STRING)
    UAPI_XATTR_NAMES(UAPI_EXPECT_STRING)
#undef UAPI_EXPECT_STRING
}

} // namespace
