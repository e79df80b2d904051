// uapi/auxv.h and elf.h against the kernel's <linux/auxvec.h> (with
// asm/auxvec.h) and <linux/elf.h>, whose ELF types clash with glibc's
// <elf.h>. No GoogleTest here (abi_facts.h).
#include <uapi/auxv.h>
#include <uapi/elf.h>

#include "abi_facts.h"
#include "auxv_elf_names.h"

UAPI_RECORD_AUXV_ELF()

#include <linux/auxvec.h>
#include <linux/elf.h>

namespace {

// clang-format off
constexpr uapi_test::Fact kFacts[] = {
    UAPI_AUXV_ELF_FACTS()
};
// clang-format on

} // namespace

namespace uapi_test {
Facts auxv_elf_kernel_facts() { return facts_of(kFacts); }
} // namespace uapi_test
