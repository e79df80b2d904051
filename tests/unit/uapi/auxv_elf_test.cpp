// uapi/auxv.h and elf.h against glibc's <elf.h> and, through
// auxv_elf_kernel.cpp, the kernel's <linux/auxvec.h> and <linux/elf.h>.
#include <uapi/auxv.h>
#include <uapi/elf.h>

#include "abi_facts.h"
#include "auxv_elf_names.h"

UAPI_RECORD_AUXV_ELF()
UAPI_RECORD_CONSTANT(AT_SYSINFO) // i386 only in the kernel's asm/auxvec.h
UAPI_RECORD_CONSTANT(EI_ABIVERSION)
UAPI_RECORD_CONSTANT(EI_PAD)
UAPI_RECORD_CONSTANT(ELFOSABI_SYSV)
UAPI_RECORD_TYPE(auxv_layout, uapi::auxv_entry)
UAPI_RECORD_FIELD(auxv_layout, uapi::auxv_entry, a_type)
UAPI_RECORD_MEMBER(auxv_layout, a_val, uapi::auxv_entry, a_val)

#include <elf.h>

#include "expect_facts.h"

namespace uapi_test {
Facts auxv_elf_kernel_facts();
}

namespace {

// clang-format off
constexpr uapi_test::Fact kGlibcFacts[] = {
    UAPI_AUXV_ELF_FACTS()
    UAPI_FACT_CONSTANT(AT_SYSINFO)
    UAPI_FACT_CONSTANT(EI_ABIVERSION)
    // The gABI's value. The kernel's <linux/elf.h> predates EI_ABIVERSION
    // and says 8; nothing reads the padding index.
    UAPI_FACT_CONSTANT(EI_PAD)
    UAPI_FACT_CONSTANT(ELFOSABI_SYSV)
    UAPI_FACT_TYPE(auxv_layout, Elf64_auxv_t)
    UAPI_FACT_FIELD(auxv_layout, Elf64_auxv_t, a_type)
    UAPI_FACT_MEMBER(auxv_layout, a_val, Elf64_auxv_t, a_un.a_val)
};
// clang-format on

TEST(UapiAuxvElf, MatchesGlibc) { uapi_test::expect_facts(uapi_test::facts_of(kGlibcFacts)); }

TEST(UapiAuxvElf, MatchesKernelHeaders) { uapi_test::expect_facts(uapi_test::auxv_elf_kernel_facts()); }

} // namespace
