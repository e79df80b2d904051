// The auxv.h and elf.h names both oracles know (auxv_elf_test.cpp: glibc's
// <elf.h>; auxv_elf_kernel.cpp: <linux/auxvec.h> and <linux/elf.h>).
#pragma once

// clang-format off
#define UAPI_AUXV_CONSTANTS(X)                                                                                         \
    X(AT_NULL) X(AT_IGNORE) X(AT_EXECFD) X(AT_PHDR) X(AT_PHENT) X(AT_PHNUM) X(AT_PAGESZ) X(AT_BASE) X(AT_FLAGS)        \
    X(AT_ENTRY) X(AT_NOTELF) X(AT_UID) X(AT_EUID) X(AT_GID) X(AT_EGID) X(AT_PLATFORM) X(AT_HWCAP) X(AT_CLKTCK)         \
    X(AT_SECURE) X(AT_BASE_PLATFORM) X(AT_RANDOM) X(AT_HWCAP2) X(AT_EXECFN) X(AT_SYSINFO_EHDR) X(AT_MINSIGSTKSZ)

#define UAPI_ELF_CONSTANTS(X)                                                                                          \
    X(EI_NIDENT) X(EI_MAG0) X(EI_MAG1) X(EI_MAG2) X(EI_MAG3) X(EI_CLASS) X(EI_DATA) X(EI_VERSION) X(EI_OSABI)          \
    X(ELFMAG0) X(ELFMAG1) X(ELFMAG2) X(ELFMAG3) X(SELFMAG) X(ELFCLASS64) X(ELFDATA2LSB) X(EV_CURRENT)                  \
    X(ELFOSABI_LINUX) X(ET_NONE) X(ET_REL) X(ET_EXEC) X(ET_DYN) X(ET_CORE) X(EM_X86_64) X(PT_NULL) X(PT_LOAD)          \
    X(PT_DYNAMIC) X(PT_INTERP) X(PT_NOTE) X(PT_SHLIB) X(PT_PHDR) X(PT_TLS) X(PT_GNU_EH_FRAME) X(PT_GNU_STACK)          \
    X(PT_GNU_RELRO) X(PT_GNU_PROPERTY) X(PF_X) X(PF_W) X(PF_R)

#define UAPI_EHDR_FIELDS(X, ns, T)                                                                                     \
    X(ns, T, e_ident) X(ns, T, e_type) X(ns, T, e_machine) X(ns, T, e_version) X(ns, T, e_entry) X(ns, T, e_phoff)     \
    X(ns, T, e_shoff) X(ns, T, e_flags) X(ns, T, e_ehsize) X(ns, T, e_phentsize) X(ns, T, e_phnum)                     \
    X(ns, T, e_shentsize) X(ns, T, e_shnum) X(ns, T, e_shstrndx)

#define UAPI_PHDR_FIELDS(X, ns, T)                                                                                     \
    X(ns, T, p_type) X(ns, T, p_flags) X(ns, T, p_offset) X(ns, T, p_vaddr) X(ns, T, p_paddr) X(ns, T, p_filesz)       \
    X(ns, T, p_memsz) X(ns, T, p_align)

#define UAPI_RECORD_AUXV_ELF()                                                                                         \
    UAPI_AUXV_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                          \
    UAPI_ELF_CONSTANTS(UAPI_RECORD_CONSTANT)                                                                           \
    UAPI_RECORD_TYPE(ehdr_layout, uapi::Elf64_Ehdr)                                                                    \
    UAPI_EHDR_FIELDS(UAPI_RECORD_FIELD, ehdr_layout, uapi::Elf64_Ehdr)                                                 \
    UAPI_RECORD_TYPE(phdr_layout, uapi::Elf64_Phdr)                                                                    \
    UAPI_PHDR_FIELDS(UAPI_RECORD_FIELD, phdr_layout, uapi::Elf64_Phdr)

#define UAPI_AUXV_ELF_FACTS()                                                                                          \
    UAPI_AUXV_CONSTANTS(UAPI_FACT_CONSTANT)                                                                            \
    UAPI_ELF_CONSTANTS(UAPI_FACT_CONSTANT)                                                                             \
    UAPI_FACT_TYPE(ehdr_layout, Elf64_Ehdr)                                                                            \
    UAPI_EHDR_FIELDS(UAPI_FACT_FIELD, ehdr_layout, Elf64_Ehdr)                                                         \
    UAPI_FACT_TYPE(phdr_layout, Elf64_Phdr)                                                                            \
    UAPI_PHDR_FIELDS(UAPI_FACT_FIELD, phdr_layout, Elf64_Phdr)
// clang-format on
