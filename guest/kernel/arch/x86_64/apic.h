// The local APIC timer. x2APIC through MSRs where CPUID offers it (KVM and
// this PVM host: each WRMSR traps, ~10 us), xAPIC through MMIO otherwise
// (QEMU TCG has no x2APIC).
#pragma once

#include <lib/types.h>

namespace apic {

void init();
// One-shot mode on `vector`; fire_in() arms it.
void start_timer(u8 vector);
// One interrupt in `ns` nanoseconds (at least 1 timer count; at most about
// 4 s on KVM's 1 GHz timer), replacing the armed one. Each call is a trapped
// WRMSR under PVM (~10 us).
void fire_in(u64 ns);
void eoi();
bool x2apic();

} // namespace apic
