// uapi/termios.h against the kernel's <asm/termbits.h> (struct termios with
// NCCS 19), <asm/ioctls.h> and <asm/termios.h> (struct winsize). No
// GoogleTest here (abi_facts.h).
#include <uapi/termios.h>

#include "abi_facts.h"
#include "termios_names.h"

UAPI_RECORD_TERMIOS()
UAPI_RECORD_CONSTANT(NCCS)
UAPI_RECORD_CONSTANT(BOTHER)

#include <asm/ioctls.h>
#include <asm/termbits.h>
#include <asm/termios.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_TERMIOS_COMMON_FACTS()
    UAPI_FACT_CONSTANT(NCCS)
    UAPI_FACT_CONSTANT(BOTHER)
    UAPI_FACT_TYPE(termios_layout, struct termios)
    UAPI_FACT_FIELD(termios_layout, struct termios, c_cc)
};
// clang-format on

} // namespace

namespace uapi_test {
Facts termios_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
