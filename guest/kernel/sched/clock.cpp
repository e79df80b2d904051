#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/log.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/vdso.h>
#include <kernel/sched/scheduler.h>
#include <kernel/sched/clock.h>
#include <kernel/proc/posix_timers.h>
#include <kernel/syscalls/timerfd.h>

namespace clock {

namespace {

u64 g_realtime_offset_ns; // realtime = monotonic + offset

struct PvclockTime {
    u32 version;
    u32 pad0;
    u64 tsc_timestamp;
    u64 system_time;
    u32 tsc_to_system_mul;
    i8 tsc_shift;
    u8 flags;
    u8 pad[2];
};
struct PvclockWallClock {
    u32 version;
    u32 sec;
    u32 nsec;
};
alignas(64) PvclockTime g_pvclock;
alignas(64) PvclockWallClock g_wall;

constexpr u32 kMsrKvmWallClock = 0x4b564d00;
constexpr u32 kMsrKvmSystemTime = 0x4b564d01;

u64 kvmclock_epoch_ns() {
    x86::wrmsr(kMsrKvmSystemTime, mm::virt_to_phys(&g_pvclock) | 1);
    x86::wrmsr(kMsrKvmWallClock, mm::virt_to_phys(&g_wall));
    u64 const tsc = x86::rdtsc();
    x86::wrmsr(kMsrKvmSystemTime, 0);
    u64 delta = tsc - g_pvclock.tsc_timestamp;
    if (g_pvclock.tsc_shift >= 0) delta <<= g_pvclock.tsc_shift;
    else delta >>= -g_pvclock.tsc_shift;
    u64 const system_ns = g_pvclock.system_time + u64((unsigned __int128)delta * g_pvclock.tsc_to_system_mul >> 32);
    return u64(g_wall.sec) * 1000000000 + g_wall.nsec + system_ns;
}

u8 cmos(u8 reg) {
    x86::out8(0x70, reg);
    return x86::in8(0x71);
}

i64 days_from_civil(i64 y, unsigned m, unsigned d) {
    y -= m <= 2;
    i64 const era = (y >= 0 ? y : y - 399) / 400;
    unsigned const yoe = unsigned(y - era * 400);
    unsigned const doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    unsigned const doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + i64(doe) - 719468;
}

u64 cmos_epoch_ns() {
    while (cmos(0x0a) & 0x80) x86::pause(); // update in progress
    u8 sec = cmos(0), min = cmos(2), hour = cmos(4), day = cmos(7), month = cmos(8), year = cmos(9);
    u8 const status_b = cmos(0x0b);
    auto bcd = [&](u8 v) { return (status_b & 4) ? v : u8((v >> 4) * 10 + (v & 15)); };
    sec = bcd(sec);
    min = bcd(min);
    hour = bcd(u8(hour & 0x7f));
    day = bcd(day);
    month = bcd(month);
    year = bcd(year);
    i64 const days = days_from_civil(2000 + year, month, day);
    return u64(((days * 24 + hour) * 60 + min) * 60 + sec) * 1000000000;
}

bool on_kvm() {
    auto leaf = x86::cpuid(0x40000000);
    return leaf.ebx == 0x4b4d564b && leaf.ecx == 0x564b4d56 && leaf.edx == 0x4d;
}

// The vDSO reads the same clock in user mode.
void publish() {
    vdso::publish_clock(tsc::start_ticks(), tsc::mult(), i64(g_realtime_offset_ns), 1000000000 / sched::kTickHz);
}

} // namespace

void init() {
    u64 const epoch = (platform::is_pvm() || on_kvm()) ? kvmclock_epoch_ns() : cmos_epoch_ns();
    g_realtime_offset_ns = epoch - monotonic_ns();
    publish();
    log_info("clock: realtime %lu s since the epoch (%s)", epoch / 1000000000,
             platform::is_pvm() || on_kvm() ? "kvmclock" : "CMOS RTC");
}

u64 monotonic_ns() { return tsc::uptime_ns(); }
Timespec monotonic() { return Timespec::from_ns(monotonic_ns()); }
Timespec realtime() { return Timespec::from_ns(monotonic_ns() + g_realtime_offset_ns); }
void set_realtime(Timespec now) {
    g_realtime_offset_ns = now.to_ns() - monotonic_ns();
    publish();
    timerfd::clock_was_set();
    posix_timers::clock_was_set();
}

} // namespace clock
