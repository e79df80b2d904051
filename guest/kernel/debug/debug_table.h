// The kernel's side of the monitor: keeps proto/debug_table.h current with
// plain memory writes (no VM exits) and registers it with the VMM at boot.
// Records are updated seqlock-style so the VMM can detect torn reads.
#pragma once

#include <proto/debug_table.h>
#include <lib/types.h>

class Thread;

namespace debug_table {

void init();
void thread_created(Thread& thread);
void thread_destroyed(Thread& thread);
void thread_changed(Thread& thread); // name, tid or process
// The state alone: one word, no seqlock (it changes at every switch).
void thread_state_changed(Thread& thread);
// `tsc`: when, as the scheduler read it for its own accounting (one RDTSC
// a switch, not two).
void context_switch(Thread& from, Thread& to, aramid::debug::SwitchReason reason, u64 tsc);
void event(aramid::debug::EventKind kind, u32 tid, u64 value, char const* text = nullptr);
// Refreshes the memory statistics (from the timer tick).
void update_memory();

} // namespace debug_table
