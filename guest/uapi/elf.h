// The ELF64 structures and constants the exec loader reads (linux/elf.h,
// the System V gABI and the x86-64 psABI).
#pragma once

#include <uapi/types.h>

#if defined(PT_LOAD) || defined(EM_X86_64) || defined(EI_NIDENT)
#error "<uapi/elf.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

using Elf64_Addr = u64;
using Elf64_Off = u64;
using Elf64_Half = u16;
using Elf64_Word = u32;
using Elf64_Sword = i32;
using Elf64_Xword = u64;
using Elf64_Sxword = i64;

inline constexpr usize EI_NIDENT = 16;

// e_ident[] indices and values.
inline constexpr usize EI_MAG0 = 0;
inline constexpr usize EI_MAG1 = 1;
inline constexpr usize EI_MAG2 = 2;
inline constexpr usize EI_MAG3 = 3;
inline constexpr usize EI_CLASS = 4;
inline constexpr usize EI_DATA = 5;
inline constexpr usize EI_VERSION = 6;
inline constexpr usize EI_OSABI = 7;
inline constexpr usize EI_ABIVERSION = 8;
inline constexpr usize EI_PAD = 9; // the gABI; the kernel's linux/elf.h predates EI_ABIVERSION and says 8

inline constexpr u8 ELFMAG0 = 0x7f;
inline constexpr u8 ELFMAG1 = 'E';
inline constexpr u8 ELFMAG2 = 'L';
inline constexpr u8 ELFMAG3 = 'F';
inline constexpr usize SELFMAG = 4;
inline constexpr u8 ELFCLASS64 = 2;
inline constexpr u8 ELFDATA2LSB = 1;
inline constexpr u8 EV_CURRENT = 1;
inline constexpr u8 ELFOSABI_SYSV = 0;
inline constexpr u8 ELFOSABI_LINUX = 3;

struct Elf64_Ehdr {
    u8 e_ident[EI_NIDENT];
    Elf64_Half e_type;
    Elf64_Half e_machine;
    Elf64_Word e_version;
    Elf64_Addr e_entry;
    Elf64_Off e_phoff;
    Elf64_Off e_shoff;
    Elf64_Word e_flags;
    Elf64_Half e_ehsize;
    Elf64_Half e_phentsize;
    Elf64_Half e_phnum;
    Elf64_Half e_shentsize;
    Elf64_Half e_shnum;
    Elf64_Half e_shstrndx;
};
static_assert(sizeof(Elf64_Ehdr) == 64);

inline constexpr Elf64_Half ET_NONE = 0;
inline constexpr Elf64_Half ET_REL = 1;
inline constexpr Elf64_Half ET_EXEC = 2; // fixed addresses
inline constexpr Elf64_Half ET_DYN = 3; // position independent: static-pie, PIE, ld.so
inline constexpr Elf64_Half ET_CORE = 4;

inline constexpr Elf64_Half EM_X86_64 = 62;

struct Elf64_Phdr {
    Elf64_Word p_type;
    Elf64_Word p_flags;
    Elf64_Off p_offset;
    Elf64_Addr p_vaddr;
    Elf64_Addr p_paddr;
    Elf64_Xword p_filesz;
    Elf64_Xword p_memsz; // beyond p_filesz: zero-filled (.bss)
    Elf64_Xword p_align;
};
static_assert(sizeof(Elf64_Phdr) == 56);

inline constexpr Elf64_Word PT_NULL = 0;
inline constexpr Elf64_Word PT_LOAD = 1;
inline constexpr Elf64_Word PT_DYNAMIC = 2;
inline constexpr Elf64_Word PT_INTERP = 3; // the path of the dynamic loader
inline constexpr Elf64_Word PT_NOTE = 4;
inline constexpr Elf64_Word PT_SHLIB = 5;
inline constexpr Elf64_Word PT_PHDR = 6;
inline constexpr Elf64_Word PT_TLS = 7;
inline constexpr Elf64_Word PT_GNU_EH_FRAME = 0x6474e550;
inline constexpr Elf64_Word PT_GNU_STACK = 0x6474e551; // p_flags: whether the stack is executable
inline constexpr Elf64_Word PT_GNU_RELRO = 0x6474e552;
inline constexpr Elf64_Word PT_GNU_PROPERTY = 0x6474e553;

inline constexpr Elf64_Word PF_X = 0x1;
inline constexpr Elf64_Word PF_W = 0x2;
inline constexpr Elf64_Word PF_R = 0x4;

} // namespace uapi
