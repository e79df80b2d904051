// uapi/socket.h against glibc's <sys/socket.h> and <sys/un.h> (msghdr,
// cmsghdr and the MSG_* flags have no uapi header: the kernel's are in
// include/linux/socket.h, and glibc's are the same bytes) and, through
// socket_kernel.cpp, the kernel's <linux/socket.h>, <linux/un.h> and
// <asm/socket.h>.
#include <uapi/socket.h>

#include "abi_facts.h"
#include "socket_names.h"

// clang-format off
#define UAPI_GLIBC_SOCKET_CONSTANTS(X)                                                                                 \
    X(AF_UNSPEC) X(AF_UNIX) X(AF_LOCAL) X(AF_INET) X(AF_INET6) X(AF_NETLINK) X(SOCK_STREAM) X(SOCK_DGRAM)              \
    X(SOCK_RAW) X(SOCK_SEQPACKET) X(SOCK_NONBLOCK) X(SOCK_CLOEXEC) X(SCM_RIGHTS) X(SCM_CREDENTIALS) X(SOMAXCONN)       \
    X(SHUT_RD) X(SHUT_WR) X(SHUT_RDWR) X(MSG_OOB) X(MSG_PEEK) X(MSG_DONTROUTE) X(MSG_CTRUNC) X(MSG_PROXY)              \
    X(MSG_TRUNC) X(MSG_DONTWAIT) X(MSG_EOR) X(MSG_WAITALL) X(MSG_FIN) X(MSG_SYN) X(MSG_CONFIRM) X(MSG_RST)             \
    X(MSG_ERRQUEUE) X(MSG_NOSIGNAL) X(MSG_MORE) X(MSG_WAITFORONE) X(MSG_BATCH) X(MSG_ZEROCOPY) X(MSG_FASTOPEN)         \
    X(MSG_CMSG_CLOEXEC)

#define UAPI_MSGHDR_FIELDS(X, ns, T)                                                                                   \
    X(ns, T, msg_name) X(ns, T, msg_namelen) X(ns, T, msg_iov) X(ns, T, msg_iovlen) X(ns, T, msg_control)              \
    X(ns, T, msg_controllen) X(ns, T, msg_flags)
#define UAPI_CMSGHDR_FIELDS(X, ns, T) X(ns, T, cmsg_len) X(ns, T, cmsg_level) X(ns, T, cmsg_type)
#define UAPI_UCRED_FIELDS(X, ns, T) X(ns, T, pid) X(ns, T, uid) X(ns, T, gid)
#define UAPI_LINGER_FIELDS(X, ns, T) X(ns, T, l_onoff) X(ns, T, l_linger)
// clang-format on

UAPI_RECORD_SOCKET_COMMON()
UAPI_RECORD_CONSTANT(SOCK_TYPE_MASK)
UAPI_RECORD_CONSTANT(SCM_SECURITY)
UAPI_GLIBC_SOCKET_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_TYPE(sockaddr_layout, uapi::sockaddr)
UAPI_RECORD_FIELD(sockaddr_layout, uapi::sockaddr, sa_family)
UAPI_RECORD_FIELD(sockaddr_layout, uapi::sockaddr, sa_data)
UAPI_RECORD_TYPE(msghdr_layout, uapi::msghdr)
UAPI_MSGHDR_FIELDS(UAPI_RECORD_FIELD, msghdr_layout, uapi::msghdr)
UAPI_RECORD_TYPE(mmsghdr_layout, uapi::mmsghdr)
UAPI_RECORD_FIELD(mmsghdr_layout, uapi::mmsghdr, msg_hdr)
UAPI_RECORD_FIELD(mmsghdr_layout, uapi::mmsghdr, msg_len)
UAPI_RECORD_TYPE(cmsghdr_layout, uapi::cmsghdr)
UAPI_CMSGHDR_FIELDS(UAPI_RECORD_FIELD, cmsghdr_layout, uapi::cmsghdr)
UAPI_RECORD_TYPE(ucred_layout, uapi::ucred)
UAPI_UCRED_FIELDS(UAPI_RECORD_FIELD, ucred_layout, uapi::ucred)
UAPI_RECORD_TYPE(linger_layout, uapi::linger)
UAPI_LINGER_FIELDS(UAPI_RECORD_FIELD, linger_layout, uapi::linger)

namespace {
constexpr u64 kCmsgLengths[] = { 0, 1, 4, 7, 8, 12, 16, 17 };
constexpr u64 kCmsgLen[] = { uapi::CMSG_LEN(0), uapi::CMSG_LEN(1), uapi::CMSG_LEN(4), uapi::CMSG_LEN(7),
    uapi::CMSG_LEN(8), uapi::CMSG_LEN(12), uapi::CMSG_LEN(16), uapi::CMSG_LEN(17) };
constexpr u64 kCmsgAlign[] = { uapi::CMSG_ALIGN(0), uapi::CMSG_ALIGN(1), uapi::CMSG_ALIGN(4), uapi::CMSG_ALIGN(7),
    uapi::CMSG_ALIGN(8), uapi::CMSG_ALIGN(12), uapi::CMSG_ALIGN(16), uapi::CMSG_ALIGN(17) };
constexpr u64 kCmsgSpace[] = { uapi::CMSG_SPACE(0), uapi::CMSG_SPACE(1), uapi::CMSG_SPACE(4), uapi::CMSG_SPACE(7),
    uapi::CMSG_SPACE(8), uapi::CMSG_SPACE(12), uapi::CMSG_SPACE(16), uapi::CMSG_SPACE(17) };
} // namespace

#include <sys/socket.h>
#include <sys/un.h>

#include "expect_facts.h"

namespace uapi_test {
Facts socket_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_SOCKET_COMMON_FACTS()
    UAPI_GLIBC_SOCKET_CONSTANTS(UAPI_FACT_CONSTANT)
    // include/linux/net.h and include/linux/socket.h; not in glibc.
    UAPI_FACT_VALUE(SOCK_TYPE_MASK, 0xf)
    UAPI_FACT_VALUE(SCM_SECURITY, 0x03)
    UAPI_FACT_TYPE(sockaddr_storage_layout, struct sockaddr_storage)
    UAPI_FACT_FIELD(sockaddr_storage_layout, struct sockaddr_storage, ss_family)
    UAPI_FACT_TYPE(sockaddr_layout, struct sockaddr)
    UAPI_FACT_FIELD(sockaddr_layout, struct sockaddr, sa_family)
    UAPI_FACT_FIELD(sockaddr_layout, struct sockaddr, sa_data)
    UAPI_FACT_TYPE(msghdr_layout, struct msghdr)
    UAPI_MSGHDR_FIELDS(UAPI_FACT_FIELD, msghdr_layout, struct msghdr)
    UAPI_FACT_TYPE(mmsghdr_layout, struct mmsghdr)
    UAPI_FACT_FIELD(mmsghdr_layout, struct mmsghdr, msg_hdr)
    UAPI_FACT_FIELD(mmsghdr_layout, struct mmsghdr, msg_len)
    UAPI_FACT_TYPE(cmsghdr_layout, struct cmsghdr)
    UAPI_CMSGHDR_FIELDS(UAPI_FACT_FIELD, cmsghdr_layout, struct cmsghdr)
    UAPI_FACT_TYPE(ucred_layout, struct ucred)
    UAPI_UCRED_FIELDS(UAPI_FACT_FIELD, ucred_layout, struct ucred)
    UAPI_FACT_TYPE(linger_layout, struct linger)
    UAPI_LINGER_FIELDS(UAPI_FACT_FIELD, linger_layout, struct linger)
};
// clang-format on

TEST(UapiSocket, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiSocket, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::socket_kernel_facts()); }

TEST(UapiSocket, ControlMessageSizesMatchGlibc) {
    for (size_t i = 0; i < sizeof(kCmsgLengths) / sizeof(kCmsgLengths[0]); ++i) {
        EXPECT_EQ(kCmsgAlign[i], CMSG_ALIGN(kCmsgLengths[i])) << kCmsgLengths[i];
        EXPECT_EQ(kCmsgLen[i], CMSG_LEN(kCmsgLengths[i])) << kCmsgLengths[i];
        EXPECT_EQ(kCmsgSpace[i], CMSG_SPACE(kCmsgLengths[i])) << kCmsgLengths[i];
    }
}

} // namespace
