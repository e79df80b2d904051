// The TSC as the kernel's clock: its rate comes from the PVM host (MSR), a
// hypervisor CPUID leaf, or a calibration against the PIT (QEMU TCG).
#pragma once

#include <lib/types.h>

namespace tsc {

void init();
u64 khz();
// Nanoseconds since init().
u64 uptime_ns();

} // namespace tsc
