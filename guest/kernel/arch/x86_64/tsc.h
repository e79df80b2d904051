// The TSC as the kernel's clock: its rate comes from the PVM host (MSR), a
// hypervisor CPUID leaf, or a calibration against the PIT (QEMU TCG).
#pragma once

#include <lib/types.h>

namespace tsc {

void init();
u64 khz();
// Nanoseconds since init(): (rdtsc() - start_ticks()) * mult() >> 32. The
// vDSO computes the same in user mode.
u64 uptime_ns();
// The same for a TSC value the caller has read already.
u64 uptime_ns_at(u64 ticks);
// A span of `ticks` in nanoseconds.
u64 ticks_ns(u64 ticks);
u64 start_ticks();
u64 mult();

} // namespace tsc
