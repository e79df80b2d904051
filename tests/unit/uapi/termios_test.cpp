// uapi/termios.h against glibc's <termios.h> and <sys/ioctl.h> (the flag
// bits and c_cc indices are the kernel's; glibc's struct termios is longer
// and translated by libc) and, through termios_kernel.cpp, the kernel's
// struct termios.
#include <uapi/termios.h>

#include "abi_facts.h"
#include "termios_names.h"

UAPI_RECORD_TERMIOS()

#include <sys/ioctl.h>
#include <termios.h>

#include "expect_facts.h"

namespace uapi_test {
Facts termios_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_TERMIOS_COMMON_FACTS()
    UAPI_FACT_OFFSET(termios_layout, c_cc, struct termios, c_cc)
};
// clang-format on

TEST(UapiTermios, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiTermios, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::termios_kernel_facts()); }

} // namespace
