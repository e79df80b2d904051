#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/fpu.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/debug/log.h>

namespace fpu {

namespace {

bool g_xsave;
u64 g_mask; // XCR0 components we save
usize g_size = 512;
u32 g_mxcsr_mask = 0xffbf;
alignas(64) u8 g_initial[4096];

u64 xgetbv() {
    u32 lo, hi;
    asm volatile("xgetbv" : "=a"(lo), "=d"(hi) : "c"(0));
    return (u64(hi) << 32) | lo;
}

} // namespace

void init() {
    auto leaf1 = x86::cpuid(1);
    g_xsave = (leaf1.ecx >> 26) & 1;
    if (!platform::is_pvm()) {
        // Native: turn on what the CPU has. Under PVM the host owns CR4/XCR0.
        u64 cr4 = x86::read_cr4() | (1 << 9) | (1 << 10); // OSFXSR, OSXMMEXCPT
        if (g_xsave) cr4 |= x86::kCr4Osxsave;
        if ((x86::cpuid(7).ebx & 1)) cr4 |= x86::kCr4Fsgsbase;
        x86::write_cr4(cr4);
        if (g_xsave) {
            auto leaf_d = x86::cpuid(0xd, 0);
            u64 supported = (u64(leaf_d.edx) << 32 | leaf_d.eax) & 0x7; // x87, SSE, AVX
            asm volatile("xsetbv" ::"a"(u32(supported)), "d"(u32(supported >> 32)), "c"(0));
        }
    }
    if (g_xsave && (x86::read_cr4() & x86::kCr4Osxsave || platform::is_pvm())) {
        g_mask = xgetbv() & ~((1ull << 17) | (1ull << 18)); // no AMX
        g_size = x86::cpuid(0xd, 0).ebx; // size for the enabled XCR0 components
        if (g_size > sizeof(g_initial)) g_size = sizeof(g_initial);
    } else {
        g_xsave = false;
    }
    alignas(64) u8 probe[512] = {};
    asm volatile("fxsave64 %0" : "=m"(probe));
    u32 mask;
    __builtin_memcpy(&mask, probe + 28, 4);
    if (mask) g_mxcsr_mask = mask;
    // The initial state: FNINIT's x87 state and the default MXCSR.
    __builtin_memset(g_initial, 0, sizeof(g_initial));
    u16 const fcw = 0x37f;
    u32 const mxcsr = 0x1f80;
    __builtin_memcpy(g_initial + 0, &fcw, 2);
    __builtin_memcpy(g_initial + 24, &mxcsr, 4);
    log_info("fpu: %s, %lu-byte state, components %#lx", g_xsave ? "xsave" : "fxsave", g_size, g_mask);
}

usize state_size() { return g_size; }
bool uses_xsave() { return g_xsave; }
u64 components() { return g_mask; }

void init_state(void* area) { __builtin_memcpy(area, g_initial, g_size); }

void sanitize(void* area) {
    auto* bytes = static_cast<u8*>(area);
    u32 mxcsr;
    __builtin_memcpy(&mxcsr, bytes + 24, 4);
    mxcsr &= g_mxcsr_mask;
    __builtin_memcpy(bytes + 24, &mxcsr, 4);
    if (g_xsave) {
        u64* header = reinterpret_cast<u64*>(bytes + 512);
        header[0] &= g_mask; // XSTATE_BV
        for (int i = 1; i < 8; i++) header[i] = 0; // XCOMP_BV and reserved
    }
}

void save(void* area) {
    if (g_xsave) asm volatile("xsave64 (%0)" ::"r"(area), "a"(u32(g_mask)), "d"(u32(g_mask >> 32)) : "memory");
    else asm volatile("fxsave64 (%0)" ::"r"(area) : "memory");
}

void restore(void const* area) {
    if (g_xsave) asm volatile("xrstor64 (%0)" ::"r"(area), "a"(u32(g_mask)), "d"(u32(g_mask >> 32)) : "memory");
    else asm volatile("fxrstor64 (%0)" ::"r"(area) : "memory");
}

} // namespace fpu
