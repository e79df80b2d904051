// GDT, TSS and IDT. They live in the .entry section: under PVM the host
// reads them (and pushes event frames onto the entry stacks) through the
// *user* page table before it switches to the kernel root, so that section
// is mapped into every user page table (read-only for the tables).
#pragma once

#include <lib/types.h>

namespace cpu_tables {

void init();

// IST stack indexes (TSS.ist[n-1]).
inline constexpr u8 kIstDoubleFault = 1;
inline constexpr u8 kIstNmi = 2;
inline constexpr u8 kIstMachineCheck = 3;

// The range of the per-CPU entry and IST stacks (for fault reports).
bool is_entry_stack(u64 address);

} // namespace cpu_tables
