// The kernel's side of the monitor: keeps proto/debug_table.h current with
// plain memory writes (no VM exits) and registers it with the VMM at boot.
// Records are updated seqlock-style so the VMM can detect torn reads. What
// changes at every context switch -- thread states, switch counts, the CPU's
// counters -- the table points at instead of copying, so a switch writes
// one ring slot and nothing else.
#pragma once

#include <kernel/arch/x86_64/cpu.h>
#include <proto/debug_table.h>
#include <lib/types.h>

class Thread;

namespace debug_table {

void init();
void thread_created(Thread& thread);
void thread_destroyed(Thread& thread);
void thread_changed(Thread& thread); // name, tid or process

namespace detail {
extern aramid::debug::CpuRecord g_cpu_record;
}

// Switch number `n` (the CPU's context_switches before it counts this one)
// into its ring slot. The scheduler counts it right after: the barrier keeps
// the slot's stores ahead of the count that publishes them. `tsc` is the
// scheduler's own RDTSC for its accounting.
inline void context_switch(u64 n, u32 from_tid, u32 to_tid, aramid::debug::SwitchReason reason, u64 tsc) {
    detail::g_cpu_record.switches[n % aramid::debug::kSwitchRing] = { tsc, from_tid, to_tid, reason, 0 };
    x86::compiler_barrier();
}
void event(aramid::debug::EventKind kind, u32 tid, u64 value, char const* text = nullptr);
// Refreshes the memory statistics (from the timer tick).
void update_memory();

} // namespace debug_table
