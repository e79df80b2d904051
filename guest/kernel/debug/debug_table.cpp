#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/cpu_local.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/tsc.h>
#include <kernel/debug/debug_table.h>
#include <kernel/debug/ksyms.h>
#include <kernel/mm/heap.h>
#include <kernel/mm/layout.h>
#include <kernel/mm/page_table.h>
#include <kernel/mm/physical.h>
#include <kernel/proc/process.h>
#include <kernel/sched/thread.h>
#include <fs/block_cache.h>
#include <fs/vfs/custody.h>
#include <proto/vm_abi.h>

namespace abi = aramid::debug;
using abi::EventKind;
using abi::SwitchReason;
using abi::kMaxThreads;
using abi::kMaxStackPages;
using abi::kNameLength;
using abi::kSwitchRing;
using abi::kEventRing;

extern "C" char ksyms_table[];
extern "C" char __image_end[];
char const* log_ring(u64& size, u64& written_address); // debug/log.cpp

namespace debug_table {

namespace detail {
alignas(64) abi::CpuRecord g_cpu_record;
}

namespace {

// In the image: fixed GPAs, and the .bss pages are only touched as slots
// get used (each first touch costs a shadow-MMU fault under PVM).
alignas(64) abi::Table g_table;
alignas(64) abi::ThreadRecord g_threads[kMaxThreads];
alignas(64) abi::EventRecord g_events[kEventRing];
alignas(64) abi::MemoryStats g_memory;
alignas(64) abi::MountRecord g_mounts[abi::kMaxMounts];
FileSystem const* g_mount_owners[abi::kMaxMounts]; // the kernel's side of g_mounts: who each slot is
u32 g_mount_changes[abi::kMaxMounts];              // changes begun and not ended (they may nest)
bool g_ready;

u64 gpa(void const* p) { return mm::virt_to_phys(p); }

void begin(u64& sequence) {
    sequence++;
    x86::compiler_barrier();
}
void end(u64& sequence) {
    x86::compiler_barrier();
    sequence++;
}

void copy_name(char* destination, char const* source) {
    usize i = 0;
    for (; source[i] && i < kNameLength; i++) destination[i] = source[i];
    for (; i < kNameLength; i++) destination[i] = 0;
}

abi::ThreadRecord* record_of(Thread& t) { return t.debug_slot < kMaxThreads ? &g_threads[t.debug_slot] : nullptr; }

abi::ThreadState state_of(Thread const& thread) { return abi::ThreadState(u32(thread.state())); }

// Slots are taken round-robin, so that a free slot is reused as late as
// possible: the switch ring names threads by slot, and a thread that has
// exited keeps its tid in its free slot until the slot is taken again.
u32 g_next_slot;

void fill_record(Thread& thread, u64 created_tsc) {
    for (u32 i = 0; i < kMaxThreads; i++) {
        u32 const slot = (g_next_slot + i) % kMaxThreads;
        abi::ThreadRecord& r = g_threads[slot];
        if (r.state != abi::ThreadState::Free) continue;
        g_next_slot = slot + 1;
        thread.debug_slot = slot;
        begin(r.sequence);
        r.tid = thread.tid();
        r.pid = thread.process ? u32(thread.process->pid()) : 0;
        copy_name(r.name, thread.name());
        r.state = state_of(thread);
        r.cpu = 0;
        auto const& stack = thread.stack();
        r.stack_base_va = stack.base();
        r.stack_size = stack.size();
        for (u32 p = 0; p < kMaxStackPages; p++) {
            u64 va = stack.base() + p * mm::kPageSize;
            u64 frame = 0;
            if (p * mm::kPageSize < stack.size()) {
                if (mm::is_direct_map(va) || va >= mm::kKernelImageBase) frame = mm::virt_to_phys(reinterpret_cast<void*>(va));
                else if (u64* pte = mm::kernel_pte(va)) frame = *pte & mm::kPteAddressMask;
            }
            r.stack_pages[p] = frame;
        }
        r.paint = mm::kStackPaint;
        r.guard_page = stack.has_guard() ? 1 : 0;
        r.canary = mm::kStackCanary;
        r.saved_rsp_address = gpa(&thread.saved_rsp);
        r.switches_address = gpa(&thread.switches);
        r.state_address = gpa(thread.state_address());
        r.created_tsc = created_tsc;
        end(r.sequence);
        event(EventKind::ThreadCreated, thread.tid(), r.pid, thread.name());
        return;
    }
    thread.debug_slot = abi::kNoThreadSlot; // full: the monitor does not see this thread
}

} // namespace

void init() {
    abi::Table& t = g_table;
    t.magic = abi::kMagic;
    t.version = abi::kVersion;
    t.size = sizeof(abi::Table);
    t.cpu_count = 1;
    copy_name(t.kernel_version, "aramid " ARAMID_VERSION);
    copy_name(t.platform, platform::name());
    t.tsc_khz = tsc::khz();
    t.boot_tsc = x86::rdtsc() - tsc::uptime_ns() * tsc::khz() / 1000000;
    t.kernel_virtual_base = mm::kKernelImageBase;
    t.direct_map_base = mm::kDirectMapBase;
    t.threads = gpa(g_threads);
    t.thread_capacity = kMaxThreads;
    t.thread_record_size = sizeof(abi::ThreadRecord);
    abi::CpuRecord& cpu = detail::g_cpu_record;
    begin(cpu.sequence);
    cpu.id = this_cpu().id;
    // The two counters side by side, as CpuCounters lays them out.
    static_assert(__builtin_offsetof(Cpu, interrupts) == __builtin_offsetof(Cpu, context_switches) + 8);
    cpu.counters_address = gpa(&this_cpu().context_switches);
    end(cpu.sequence);
    t.cpus = gpa(&cpu);
    t.cpu_record_size = sizeof(abi::CpuRecord);
    t.switch_ring_capacity = kSwitchRing;
    t.events = gpa(g_events);
    t.event_capacity = kEventRing;
    t.event_record_size = sizeof(abi::EventRecord);
    t.memory = gpa(&g_memory);
    t.symbols = gpa(ksyms_table);
    t.symbols_size = u64(__image_end) - u64(ksyms_table);
    u64 log_size, log_written;
    t.log = gpa(log_ring(log_size, log_written));
    t.log_size = log_size;
    t.log_written = log_written;
    t.mounts = gpa(g_mounts);
    t.mount_capacity = abi::kMaxMounts;
    t.mount_record_size = sizeof(abi::MountRecord);
    g_ready = true;
    for (Thread& thread : all_threads()) fill_record(thread, 0); // 0: they have been there since boot
    // sched::init's Start record (no switch has happened since) named the
    // CPU's first thread before threads had records: retag it with the slot.
    cpu.switches[kSwitchRing - 1].word ^= abi::switch_tag(abi::kNoThreadSlot, abi::SwitchReason::Start)
        ^ abi::switch_tag(this_cpu().current->debug_slot, abi::SwitchReason::Start);
    update_memory();
    x86::out32(aramid::abi::kPortDebugTable, u32(gpa(&g_table)));
}

void thread_created(Thread& thread) {
    if (g_ready) fill_record(thread, x86::rdtsc());
}

void thread_destroyed(Thread& thread) {
    abi::ThreadRecord* r = record_of(thread);
    if (!r) return;
    event(EventKind::ThreadExited, thread.tid(), r->pid, thread.name());
    begin(r->sequence);
    r->state = abi::ThreadState::Free;
    end(r->sequence);
    thread.debug_slot = abi::kNoThreadSlot;
}

void thread_changed(Thread& thread) {
    abi::ThreadRecord* r = record_of(thread);
    if (!r) return;
    begin(r->sequence);
    r->tid = thread.tid(); // execve from a non-leader thread changes it
    copy_name(r->name, thread.name());
    r->state = state_of(thread);
    r->pid = thread.process ? u32(thread.process->pid()) : r->pid;
    end(r->sequence);
}

void event(EventKind kind, u32 tid, u64 value, char const* text) {
    if (!g_ready) return;
    abi::EventRecord& e = g_events[g_table.event_count % kEventRing];
    e.sequence = 0; // marks the record as being rewritten
    x86::compiler_barrier();
    e.kind = kind;
    e.tid = tid;
    e.value = value;
    e.tsc = x86::rdtsc();
    usize i = 0;
    for (; text && text[i] && i + 1 < sizeof(e.text); i++) e.text[i] = text[i];
    for (; i < sizeof(e.text); i++) e.text[i] = 0;
    x86::compiler_barrier();
    e.sequence = ++g_table.event_count;
}

void update_memory() {
    if (!g_ready) return;
    auto physical = mm::physical_stats();
    auto heap = heap_stats();
    begin(g_memory.sequence);
    g_memory.total_pages = physical.total_pages;
    g_memory.free_pages = physical.free_pages;
    g_memory.heap_bytes = heap.bytes_in_use;
    g_memory.heap_allocations = heap.allocations;
    g_memory.heap_frees = heap.frees;
    g_memory.slab_pages = heap.slab_pages;
    g_memory.large_pages = heap.large_pages;
    end(g_memory.sequence);
}

// ---- mounts

namespace {

// Where BlockCacheEntry keeps what the monitor reads, as this kernel lays it
// out: the record publishes the offsets, and these are the sizes it promises.
static_assert(sizeof(BlockCacheEntry::number) == 8 && sizeof(BlockCacheEntry::data) == 8
    && sizeof(BlockCacheEntry::dirty) == 1);

int slot_of(FileSystem const& fs) {
    for (u32 i = 0; i < abi::kMaxMounts; i++)
        if (g_mount_owners[i] == &fs) return int(i);
    return -1;
}

void copy_text(char* destination, usize size, char const* source, usize length) {
    usize i = 0;
    for (; i < length && i + 1 < size && source[i]; i++) destination[i] = source[i];
    for (; i < size; i++) destination[i] = 0;
}

} // namespace

void register_mount(FileSystem const& fs, u64 dev, char const* type, BlockCache const& cache) {
    for (u32 i = 0; i < abi::kMaxMounts; i++) {
        if (g_mount_owners[i]) continue;
        g_mount_owners[i] = &fs;
        g_mount_changes[i] = 0;
        abi::MountRecord& r = g_mounts[i];
        begin(r.sequence);
        r.state = abi::MountState::Mounted;
        r.flags = 0;
        r.dev = dev;
        copy_text(r.type, sizeof(r.type), type, sizeof(r.type));
        copy_text(r.mount_point, sizeof(r.mount_point), "", 0);
        r.device_bytes = cache.block_count() * cache.block_size();
        r.block_size = u32(cache.block_size());
        r.cache_capacity = u32(cache.capacity());
        r.cache_entries = gpa(cache.entries());
        r.entry_size = sizeof(BlockCacheEntry);
        r.entry_number_offset = __builtin_offsetof(BlockCacheEntry, number);
        r.entry_data_offset = __builtin_offsetof(BlockCacheEntry, data);
        r.entry_dirty_offset = __builtin_offsetof(BlockCacheEntry, dirty);
        r.busy = 0;
        end(r.sequence);
        return;
    }
}

void mount_placed(FileSystem const& fs, Custody const& where, bool read_only) {
    int const slot = slot_of(fs);
    if (slot < 0) return;
    abi::MountRecord* r = &g_mounts[slot];
    begin(r->sequence);
    usize const length = where.absolute_path(r->mount_point, sizeof(r->mount_point));
    if (length >= sizeof(r->mount_point)) {
        // Too long: ".../" and as much of the last name as fits.
        StringView const name = where.name();
        copy_text(r->mount_point, sizeof(r->mount_point), ".../", 4);
        copy_text(r->mount_point + 4, sizeof(r->mount_point) - 4, name.data(), name.length());
    }
    r->flags = read_only ? abi::kMountReadOnly : 0;
    end(r->sequence);
}

void unregister_mount(FileSystem const& fs) {
    for (u32 i = 0; i < abi::kMaxMounts; i++) {
        if (g_mount_owners[i] != &fs) continue;
        abi::MountRecord& r = g_mounts[i];
        begin(r.sequence);
        r.state = abi::MountState::Free;
        r.cache_entries = 0;
        r.cache_capacity = 0;
        end(r.sequence);
        g_mount_owners[i] = nullptr;
    }
}

// `busy` counts the outermost change only, so that nested scopes keep it
// odd until the last one ends.
void begin_change(FileSystem const& fs) {
    int const slot = slot_of(fs);
    if (slot < 0 || g_mount_changes[slot]++ > 0) return;
    g_mounts[slot].busy++;
    x86::compiler_barrier();
}

void end_change(FileSystem const& fs) {
    int const slot = slot_of(fs);
    if (slot < 0 || g_mount_changes[slot] == 0 || --g_mount_changes[slot] > 0) return;
    x86::compiler_barrier();
    g_mounts[slot].busy++;
}

} // namespace debug_table
