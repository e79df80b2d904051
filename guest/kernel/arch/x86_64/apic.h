// The local APIC timer. x2APIC through MSRs where CPUID offers it (KVM and
// this PVM host: each WRMSR traps, ~10 us), xAPIC through MMIO otherwise
// (QEMU TCG has no x2APIC).
#pragma once

#include <lib/types.h>

namespace apic {

void init();
// Periodic interrupts at `hz` on `vector`.
void start_timer(u32 hz, u8 vector);
void eoi();
bool x2apic();

} // namespace apic
