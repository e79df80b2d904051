// Clocks: monotonic time from the TSC, and wall-clock time anchored once at
// boot -- from kvmclock on KVM (two trapped MSR writes) or the CMOS RTC
// under QEMU TCG -- then advanced by the TSC.
#pragma once

#include <lib/types.h>

struct Timespec {
    i64 sec { 0 };
    i64 nsec { 0 };
    static Timespec from_ns(u64 ns) { return { i64(ns / 1000000000), i64(ns % 1000000000) }; }
    u64 to_ns() const { return u64(sec) * 1000000000 + u64(nsec); }
};

namespace clock {

void init();
u64 monotonic_ns();
Timespec monotonic();
Timespec realtime();
// Wall-clock nanoseconds since the epoch at boot (settable by clock_settime).
void set_realtime(Timespec now);

} // namespace clock
