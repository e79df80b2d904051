#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/log.h>

namespace tsc {

namespace {

u64 g_khz;
u64 g_start;
// ns = (ticks * g_mult) >> 32, exact enough for uptime.
u64 g_mult;

// Channel 0 of the 8254 counts down at 1.193182 MHz; read it latched.
u16 pit_read() {
    x86::out8(0x43, 0x00);
    u8 lo = x86::in8(0x40);
    u8 hi = x86::in8(0x40);
    return u16(lo | (hi << 8));
}

u64 calibrate_with_pit() {
    x86::out8(0x43, 0x30); // channel 0, lo/hi, mode 0
    x86::out8(0x40, 0xff);
    x86::out8(0x40, 0xff);
    u16 const start_count = pit_read();
    u64 const start = x86::rdtsc();
    u32 const ticks = 11932; // 10 ms
    u16 now;
    do now = pit_read();
    while (u16(start_count - now) < ticks && now <= start_count);
    u64 const cycles = x86::rdtsc() - start;
    u32 const elapsed = u16(start_count - now);
    return cycles * 1193182 / elapsed / 1000;
}

} // namespace

void init() {
    g_start = x86::rdtsc();
    if (platform::is_pvm()) {
        g_khz = x86::rdmsr(pvm::kMsrTscKhz);
    } else if (x86::cpuid(0x40000000).eax >= 0x40000010 && x86::cpuid(0x40000010).eax) {
        g_khz = x86::cpuid(0x40000010).eax;
    } else {
        g_khz = calibrate_with_pit();
    }
    if (!g_khz) g_khz = 1000000;
    g_mult = (1000000ull << 32) / g_khz;
    log_info("tsc: %lu kHz", g_khz);
}

u64 khz() { return g_khz; }

u64 start_ticks() { return g_start; }
u64 mult() { return g_mult; }

u64 uptime_ns() { return uptime_ns_at(x86::rdtsc()); }

u64 uptime_ns_at(u64 ticks) { return ticks_ns(ticks - g_start); }

u64 ticks_ns(u64 ticks) { return u64((unsigned __int128)ticks * g_mult >> 32); }

} // namespace tsc
