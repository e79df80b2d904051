// uapi/wait.h against glibc's <sys/wait.h>, whose W* macros decode the
// status word uapi builds, and, through wait_kernel.cpp, <linux/wait.h>.
#include <uapi/wait.h>

#include "abi_facts.h"

#include "wait_names.h"

UAPI_WAIT_CONSTANTS(UAPI_RECORD_CONSTANT)
UAPI_RECORD_CONSTANT(WCOREFLAG)

namespace {

// Statuses built by uapi, and what uapi's own decoders say about them.
struct Decoded {
    int status;
    bool exited, signaled, stopped, continued, core_dumped;
    int exit_status, term_signal, stop_signal;
};

constexpr Decoded decode(int status) {
    return { status, uapi::WIFEXITED(status), uapi::WIFSIGNALED(status), uapi::WIFSTOPPED(status),
        uapi::WIFCONTINUED(status), uapi::WCOREDUMP(status), uapi::WEXITSTATUS(status), uapi::WTERMSIG(status),
        uapi::WSTOPSIG(status) };
}

constexpr Decoded kStatuses[] = {
    decode(uapi::wait_status_exited(0)),
    decode(uapi::wait_status_exited(1)),
    decode(uapi::wait_status_exited(255)),
    decode(uapi::wait_status_exited(256 + 3)), // exit(2) keeps the low 8 bits
    decode(uapi::wait_status_signaled(9)),
    decode(uapi::wait_status_signaled(11, true)),
    decode(uapi::wait_status_signaled(64)),
    decode(uapi::wait_status_stopped(19)),
    decode(uapi::wait_status_stopped(20)),
    decode(uapi::wait_status_continued()),
};

} // namespace

#include <sys/wait.h>

#include "expect_facts.h"

namespace uapi_test {
Facts wait_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_WAIT_CONSTANTS(UAPI_FACT_CONSTANT)
    UAPI_FACT_CONSTANT(WCOREFLAG)
};
// clang-format on

TEST(UapiWait, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kFacts)); }

TEST(UapiWait, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::wait_kernel_facts()); }

TEST(UapiWait, StatusesDecodeAsGlibcDecodes) {
    for (Decoded const& d : kStatuses) {
        int s = d.status;
        SCOPED_TRACE(testing::Message() << "status 0x" << std::hex << s);
        EXPECT_EQ(d.exited, bool(WIFEXITED(s)));
        EXPECT_EQ(d.signaled, bool(WIFSIGNALED(s)));
        EXPECT_EQ(d.stopped, bool(WIFSTOPPED(s)));
        EXPECT_EQ(d.continued, bool(WIFCONTINUED(s)));
        EXPECT_EQ(d.core_dumped, bool(WCOREDUMP(s)));
        if (WIFEXITED(s)) { EXPECT_EQ(d.exit_status, WEXITSTATUS(s)); }
        if (WIFSIGNALED(s)) { EXPECT_EQ(d.term_signal, WTERMSIG(s)); }
        if (WIFSTOPPED(s)) { EXPECT_EQ(d.stop_signal, WSTOPSIG(s)); }
    }
}

TEST(UapiWait, StatusesAreWhatTheyClaim) {
    EXPECT_EQ(kStatuses[0].status, W_EXITCODE(0, 0));
    EXPECT_EQ(kStatuses[2].status, W_EXITCODE(255, 0));
    EXPECT_EQ(kStatuses[3].status, W_EXITCODE(3, 0));
    EXPECT_EQ(kStatuses[4].status, W_EXITCODE(0, 9));
    EXPECT_EQ(kStatuses[5].status, W_EXITCODE(0, 11) | WCOREFLAG);
    EXPECT_EQ(kStatuses[7].status, W_STOPCODE(19));
    EXPECT_EQ(kStatuses[9].status, __W_CONTINUED);
    EXPECT_TRUE(kStatuses[3].exited && kStatuses[3].exit_status == 3);
    EXPECT_TRUE(kStatuses[5].signaled && kStatuses[5].core_dumped && kStatuses[5].term_signal == 11);
    EXPECT_TRUE(kStatuses[8].stopped && kStatuses[8].stop_signal == 20);
    EXPECT_TRUE(kStatuses[9].continued && !kStatuses[9].exited && !kStatuses[9].stopped && !kStatuses[9].signaled);
}

} // namespace
