#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/ioapic.h>
#include <kernel/debug/panic.h>
#include <kernel/mm/page_table.h>

namespace ioapic {

namespace {

constexpr u64 kBase = 0xfec00000;
volatile u32* g_registers;

void write(u32 reg, u32 value) {
    g_registers[0] = reg;   // IOREGSEL
    g_registers[4] = value; // IOWIN at +0x10
}

} // namespace

void init() {
    // The 8259 PICs come out of reset unmasked with vector base 0, and KVM
    // wires every ISA line to them as well as to the I/O APIC: left alone,
    // COM1's IRQ 4 arrives a second time as vector 4 (#OF). Mask them all.
    x86::out8(0x21, 0xff);
    x86::out8(0xa1, 0xff);
    auto mapped = mm::map_mmio(kBase, 0x1000);
    if (mapped.is_error()) panic("ioapic: cannot map its registers");
    g_registers = reinterpret_cast<volatile u32*>(mapped.value());
}

void route(u32 gsi, u8 vector) {
    // Fixed delivery, physical destination APIC 0, active high, edge, unmasked.
    write(0x10 + 2 * gsi + 1, 0);
    write(0x10 + 2 * gsi, vector);
}

} // namespace ioapic
