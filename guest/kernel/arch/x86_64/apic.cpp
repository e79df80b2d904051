#include <kernel/arch/x86_64/apic.h>
#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/log.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/page_table.h>

namespace apic {

namespace {

bool g_x2apic;
volatile u32* g_mmio;
u64 g_timer_hz; // LAPIC timer counts per second at divide-by-1

enum Register : u32 {
    kEoi = 0xb0,
    kSpurious = 0xf0,
    kLvtTimer = 0x320,
    kTimerInitial = 0x380,
    kTimerCurrent = 0x390,
    kTimerDivide = 0x3e0,
};

void write(Register r, u32 value) {
    if (g_x2apic) x86::wrmsr(0x800 + (r >> 4), value);
    else g_mmio[r / 4] = value;
}

u32 read(Register r) { return g_x2apic ? u32(x86::rdmsr(0x800 + (r >> 4))) : g_mmio[r / 4]; }

} // namespace

bool x2apic() { return g_x2apic; }

void init() {
    g_x2apic = (x86::cpuid(1).ecx >> 21) & 1;
    u64 base = x86::rdmsr(x86::kMsrApicBase);
    if (g_x2apic) {
        x86::wrmsr(x86::kMsrApicBase, base | (1 << 11) | (1 << 10));
    } else {
        x86::wrmsr(x86::kMsrApicBase, base | (1 << 11));
        g_mmio = reinterpret_cast<volatile u32*>(mm::map_mmio(base & ~0xfffull, 4096).release_value());
        // Mask the legacy 8259 PICs: only the LAPIC delivers interrupts.
        x86::out8(0x21, 0xff);
        x86::out8(0xa1, 0xff);
    }
    write(kSpurious, 0x100 | 0xff);
    write(kTimerDivide, 0xb); // divide by 1

    if (platform::is_pvm() || x86::cpuid(0x40000000).ebx == 0x4b4d564b /* "KVMK" */) {
        g_timer_hz = 1000000000; // KVM's APIC bus runs at 1 GHz
    } else {
        // Count it against the TSC for 2 ms.
        write(kLvtTimer, 1 << 16); // masked, one-shot
        write(kTimerInitial, 0xffffffff);
        u64 start = x86::rdtsc(), wait = tsc::khz() * 2;
        while (x86::rdtsc() - start < wait) x86::pause();
        u32 elapsed = 0xffffffff - read(kTimerCurrent);
        write(kTimerInitial, 0);
        g_timer_hz = u64(elapsed) * 500;
    }
    log_info("apic: %s, timer %lu kHz", g_x2apic ? "x2APIC" : "xAPIC (MMIO)", g_timer_hz / 1000);
}

void start_timer(u8 vector) { write(kLvtTimer, vector); } // one-shot

void fire_in(u64 ns) {
    // Counts, rounded up so that the interrupt never comes early; the
    // product fits in 64 bits for delays under a second (the scheduler's
    // are under a tick) and timers up to 18 GHz.
    ns = ns < 1000000000 ? ns : 1000000000;
    u64 const counts = (ns * g_timer_hz + 999999999) / 1000000000;
    write(kTimerInitial, u32(counts < 1 ? 1 : counts > 0xffffffff ? 0xffffffff : counts));
}

void eoi() { write(kEoi, 0); }

} // namespace apic
