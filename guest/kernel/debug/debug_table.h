// The kernel's side of the monitor: keeps proto/debug_table.h current with
// plain memory writes (no VM exits) and registers it with the VMM at boot.
// Records are updated seqlock-style so the VMM can detect torn reads. What
// changes at every context switch -- thread states, switch counts, the CPU's
// counters -- the table points at instead of copying, so a switch writes
// one ring slot and nothing else, and half of that slot is the scheduler's
// own timestamp.
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
// into its ring slot: at `tsc`, to `to_tid`. The scheduler counts it right
// after: the barrier keeps the slot's stores ahead of the count that
// publishes them. The ring is also the scheduler's own record of when the
// running thread started (switched_in_tsc), so a switch pays the monitor
// for one word: the tid and reason.
inline void context_switch(u64 n, u64 tsc, u32 to_tid, aramid::debug::SwitchReason reason) {
    detail::g_cpu_record.switches[n % aramid::debug::kSwitchRing] = { tsc, to_tid, reason };
    x86::compiler_barrier();
}
// When the CPU's running thread started: the TSC of switch n - 1, the last
// one counted (n = context_switches). Before switch 0, sched::init's Start
// record (switch -1).
inline u64 switched_in_tsc(u64 n) { return detail::g_cpu_record.switches[(n - 1) % aramid::debug::kSwitchRing].tsc; }
void event(aramid::debug::EventKind kind, u32 tid, u64 value, char const* text = nullptr);
// Refreshes the memory statistics (from the timer tick).
void update_memory();

} // namespace debug_table
