// The I/O APIC: routes legacy device interrupts (GSIs) to LAPIC vectors.
// KVM's in-kernel irqchip and QEMU microvm both put it at 0xfec00000; under
// PVM each register access traps to the host kernel (no VMM exit).
#pragma once

#include <lib/types.h>

namespace ioapic {

void init();
// Delivers `gsi` (edge-triggered, active high) to `vector` on CPU 0.
void route(u32 gsi, u8 vector);

} // namespace ioapic
