// The kernel's side of the monitor: keeps proto/debug_table.h current with
// plain memory writes (no VM exits) and registers it with the VMM at boot.
// Records are updated seqlock-style so the VMM can detect torn reads. What
// changes at every context switch -- thread states, switch counts, the CPU's
// counters -- the table points at instead of copying, so a switch writes
// one ring slot and nothing else, and half of that slot is the scheduler's
// own timestamp. Mounted ext* file systems are published the same way: the
// record says where the file system's block cache keeps its entries, and
// the monitor reads the dirty blocks in place.
#pragma once

#include <kernel/arch/x86_64/cpu.h>
#include <proto/debug_table.h>
#include <lib/types.h>

class BlockCache;
class Custody;
class FileSystem;
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
// into its ring slot: at `tsc`, to the thread whose record is `to_slot`.
// The scheduler counts it right after: the barrier keeps the slot's store
// ahead of the count that publishes it. The ring is also the scheduler's
// own record of when the running thread started (ticks_running), so a
// switch pays the monitor for tagging that word with the slot and reason.
inline void context_switch(u64 n, u64 tsc, u32 to_slot, aramid::debug::SwitchReason reason) {
    detail::g_cpu_record.switches[n % aramid::debug::kSwitchRing] = aramid::debug::switch_record(tsc, to_slot, reason);
    x86::compiler_barrier();
}
// How long the CPU's running thread has run at TSC `now`: since switch
// n - 1, the last one counted (n = context_switches), or before switch 0
// sched::init's Start record (switch -1). Modulo 2^51 ticks, all the
// record keeps (proto/debug_table.h).
inline u64 ticks_running(u64 n, u64 now) {
    return (now - detail::g_cpu_record.switches[(n - 1) % aramid::debug::kSwitchRing].word) & aramid::debug::kSwitchTscMask;
}
void event(aramid::debug::EventKind kind, u32 tid, u64 value, char const* text = nullptr);
// Refreshes the memory statistics (from the timer tick).
void update_memory();

// Mounted ext2/3/4 file systems (MountRecord), keyed by their FileSystem
// object: what `aramid-mon fs-bitmaps` checks. The file system registers
// itself once it has mounted (a full table, kMaxMounts, leaves it out of the
// monitor's view: nothing fails) and unregisters as it goes; the cache must
// live as long as the registration.
void register_mount(FileSystem const& fs, u64 dev, char const* type, BlockCache const& cache);
// From the VFS once `fs` is mounted at `where`; nothing if `fs` is not registered.
void mount_placed(FileSystem const& fs, Custody const& where, bool read_only);
void unregister_mount(FileSystem const& fs);
// Around every operation that changes a registered file system's metadata
// (bitmaps, inodes, extent trees, directories, group descriptors): while
// one is in flight the monitor says so instead of calling its half-done
// work corruption. Cheap: a scan of kMaxMounts pointers and an increment.
// They nest: the outermost pair is what counts.
void begin_change(FileSystem const& fs);
void end_change(FileSystem const& fs);

class ChangeScope {
public:
    explicit ChangeScope(FileSystem const& fs) : m_fs(fs) { begin_change(m_fs); }
    ~ChangeScope() { end_change(m_fs); }
    ChangeScope(ChangeScope const&) = delete;
    ChangeScope& operator=(ChangeScope const&) = delete;

private:
    FileSystem const& m_fs;
};

} // namespace debug_table
