// The kernel's side of the VM ABI (proto/vm_abi.h) above the platform layer:
// boot-phase timestamps and the final exit. Each is one port write, a VM
// exit (~22 us under PVM): only the phases of vm_abi.h, never in loops.
#pragma once

#include <kernel/arch/x86_64/cpu.h>
#include <proto/vm_abi.h>

inline void mark_phase(aramid::abi::Phase phase) { x86::out32(aramid::abi::kPortPhase, u32(phase)); }

// Stops the VM with the status aramid-vmm (and the QEMU runner) reports.
// Logs "vm exit: status N" first: QEMU's exit code loses bit 7.
[[noreturn]] void vm_exit(u8 status);
// aramid.stackcheck=1: log the deepest kernel stack use at exit.
void vm_report_stacks(bool on);
