// The auxiliary vector exec puts above envp on the new stack: (type, value)
// pairs ending with AT_NULL (linux/auxvec.h, asm/auxvec.h). static musl and
// glibc read AT_PHDR, AT_PHNUM, AT_PAGESZ, AT_RANDOM, AT_HWCAP, AT_SECURE,
// AT_EXECFN and AT_SYSINFO_EHDR; the dynamic loader also AT_BASE and
// AT_ENTRY; glibc 2.34+ AT_MINSIGSTKSZ.
#pragma once

#include <uapi/types.h>

#if defined(AT_NULL) || defined(AT_RANDOM) || defined(AT_SYSINFO_EHDR)
#error "<uapi/auxv.h> must be included before libc's headers (see guest/uapi/README.md)"
#endif

namespace uapi {

struct auxv_entry {
    u64 a_type;
    u64 a_val;
};
static_assert(sizeof(auxv_entry) == 16);

inline constexpr u64 AT_NULL = 0;
inline constexpr u64 AT_IGNORE = 1;
inline constexpr u64 AT_EXECFD = 2;
inline constexpr u64 AT_PHDR = 3; // the program headers, in the loaded image
inline constexpr u64 AT_PHENT = 4; // sizeof(Elf64_Phdr)
inline constexpr u64 AT_PHNUM = 5;
inline constexpr u64 AT_PAGESZ = 6;
inline constexpr u64 AT_BASE = 7; // the interpreter's load address, or 0
inline constexpr u64 AT_FLAGS = 8;
inline constexpr u64 AT_ENTRY = 9; // the program's entry (not the interpreter's)
inline constexpr u64 AT_NOTELF = 10;
inline constexpr u64 AT_UID = 11;
inline constexpr u64 AT_EUID = 12;
inline constexpr u64 AT_GID = 13;
inline constexpr u64 AT_EGID = 14;
inline constexpr u64 AT_PLATFORM = 15; // address of the string "x86_64"
inline constexpr u64 AT_HWCAP = 16; // CPUID.1:EDX on x86
inline constexpr u64 AT_CLKTCK = 17; // times(2) ticks per second: 100
inline constexpr u64 AT_SECURE = 23; // nonzero for setuid-like exec
inline constexpr u64 AT_BASE_PLATFORM = 24;
inline constexpr u64 AT_RANDOM = 25; // address of 16 random bytes (stack protector, pointer guard)
inline constexpr u64 AT_HWCAP2 = 26;
inline constexpr u64 AT_EXECFN = 31; // address of the filename passed to execve
inline constexpr u64 AT_SYSINFO = 32; // i386 only
inline constexpr u64 AT_SYSINFO_EHDR = 33; // the vDSO's ELF header, if there is one
inline constexpr u64 AT_MINSIGSTKSZ = 51; // the signal frame's real size

} // namespace uapi
