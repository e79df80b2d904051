// Thin wrappers over x86-64 instructions. Under PVM the privileged ones
// (port I/O, MSRs, control registers, HLT) trap to the host and cost about
// 10 us each, and 22 us when they exit to the VMM: keep them off hot paths.
#pragma once

#include <lib/types.h>

namespace x86 {

ALWAYS_INLINE void out8(u16 port, u8 v) { asm volatile("outb %0, %1" ::"a"(v), "Nd"(port)); }
ALWAYS_INLINE void out32(u16 port, u32 v) { asm volatile("outl %0, %1" ::"a"(v), "Nd"(port)); }
ALWAYS_INLINE u8 in8(u16 port) {
    u8 v;
    asm volatile("inb %1, %0" : "=a"(v) : "Nd"(port));
    return v;
}

ALWAYS_INLINE u64 rdmsr(u32 msr) {
    u32 lo, hi;
    asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr));
    return (u64(hi) << 32) | lo;
}
ALWAYS_INLINE void wrmsr(u32 msr, u64 v) {
    asm volatile("wrmsr" ::"c"(msr), "a"(u32(v)), "d"(u32(v >> 32)) : "memory");
}

ALWAYS_INLINE u64 rdtsc() {
    u32 lo, hi;
    asm volatile("rdtsc" : "=a"(lo), "=d"(hi));
    return (u64(hi) << 32) | lo;
}

struct CpuidResult {
    u32 eax, ebx, ecx, edx;
};
ALWAYS_INLINE CpuidResult cpuid(u32 leaf, u32 subleaf = 0) {
    CpuidResult r;
    asm volatile("cpuid" : "=a"(r.eax), "=b"(r.ebx), "=c"(r.ecx), "=d"(r.edx) : "a"(leaf), "c"(subleaf));
    return r;
}

ALWAYS_INLINE u64 read_cr0() {
    u64 v;
    asm volatile("mov %%cr0, %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE u64 read_cr2() {
    u64 v;
    asm volatile("mov %%cr2, %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE u64 read_cr3() {
    u64 v;
    asm volatile("mov %%cr3, %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE void write_cr3(u64 v) { asm volatile("mov %0, %%cr3" ::"r"(v) : "memory"); }
ALWAYS_INLINE u64 read_cr4() {
    u64 v;
    asm volatile("mov %%cr4, %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE void write_cr4(u64 v) { asm volatile("mov %0, %%cr4" ::"r"(v) : "memory"); }
ALWAYS_INLINE void write_cr0(u64 v) { asm volatile("mov %0, %%cr0" ::"r"(v) : "memory"); }
ALWAYS_INLINE void invlpg(u64 va) { asm volatile("invlpg (%0)" ::"r"(va) : "memory"); }

ALWAYS_INLINE u64 read_rflags() {
    u64 v;
    asm volatile("pushfq; pop %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE u64 read_rbp() {
    u64 v;
    asm volatile("mov %%rbp, %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE u64 read_rsp() {
    u64 v;
    asm volatile("mov %%rsp, %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE void pause() { asm volatile("pause"); }
ALWAYS_INLINE void compiler_barrier() { asm volatile("" ::: "memory"); }

ALWAYS_INLINE u64 rdfsbase() {
    u64 v;
    asm volatile("rdfsbase %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE void wrfsbase(u64 v) { asm volatile("wrfsbase %0" ::"r"(v)); }
ALWAYS_INLINE u64 rdgsbase() {
    u64 v;
    asm volatile("rdgsbase %0" : "=r"(v));
    return v;
}
ALWAYS_INLINE void wrgsbase(u64 v) { asm volatile("wrgsbase %0" ::"r"(v)); }

inline constexpr u32 kMsrEfer = 0xc0000080;
inline constexpr u32 kMsrStar = 0xc0000081;
inline constexpr u32 kMsrLstar = 0xc0000082;
inline constexpr u32 kMsrSfmask = 0xc0000084;
inline constexpr u32 kMsrFsBase = 0xc0000100;
inline constexpr u32 kMsrGsBase = 0xc0000101;
inline constexpr u32 kMsrKernelGsBase = 0xc0000102;
inline constexpr u32 kMsrApicBase = 0x1b;

inline constexpr u64 kRflagsIf = 1 << 9;
inline constexpr u64 kCr4Fsgsbase = 1 << 16;
inline constexpr u64 kCr4Osxsave = 1 << 18;

} // namespace x86
