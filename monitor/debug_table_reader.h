// DebugTableReader: decodes the guest kernel's debug table
// (proto/debug_table.h) straight from guest RAM, trusting none of it.
//
// It sees the guest only through GuestMemory's checked accessors and needs
// no KVM, so the unit tests hand it tables built in a plain GuestMemory.
//
// The rules it keeps:
// - The table as a whole (magic, version, sizes, capacities, where its
//   arrays lie) is checked when the reader is made; a table that fails is a
//   DecodeError whose message says what is wrong. Nothing else throws.
// - Every address is checked against guest RAM before it is read, with
//   overflow-safe arithmetic. Counts are checked against capacities, and
//   capacities against fixed limits, so every loop is bounded by a number
//   checked here; the frame-pointer walk must go strictly upwards through
//   the stack and stops after kMaxBacktrace frames, so no table can loop it.
// - A seqlocked record (sequence odd while the guest writes it) is copied
//   between two reads of its sequence. If they differ or are odd, the read
//   is retried a few times and then the record is reported as torn: its
//   fields are not used. Event records, whose sequence is their number, are
//   checked the same way.
// - A record that reads cleanly but makes no sense (a stack page outside
//   RAM, an unknown state) is returned with a `problem` saying so, and as
//   much as could be decoded safely.
//
// The reader holds no lock and keeps nothing between calls but the checked
// header; callers that want a consistent view pause the vCPUs around it.
#pragma once

#include <monitor/symbol_table.h>

#include <proto/debug_table.h>

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace vmm {
class GuestMemory;
}

namespace aramid::monitor {

class DecodeError : public std::runtime_error {
public:
    using std::runtime_error::runtime_error;
};

// Limits far above anything the kernel uses, below anything that would
// make the monitor's work or memory unreasonable.
inline constexpr uint32_t kMaxThreadCapacity = 65536;
inline constexpr uint32_t kMaxCpuCount = 256;
inline constexpr uint32_t kMaxEventCapacity = 65536;
inline constexpr uint32_t kMaxBacktrace = 32;
inline constexpr uint32_t kMaxMountCapacity = 64;
inline constexpr uint32_t kMaxCacheCapacity = 1u << 20; // block-cache entries of one mount
inline constexpr uint32_t kMaxCacheEntrySize = 256;
inline constexpr unsigned kSeqlockRetries = 8;

struct MemoryInfo {
    uint64_t total_pages { 0 };
    uint64_t free_pages { 0 };
    uint64_t heap_bytes { 0 };
    uint64_t heap_allocations { 0 };
    uint64_t heap_frees { 0 };
    uint64_t slab_pages { 0 };
    uint64_t large_pages { 0 };
    bool torn { false };
    std::string problem;
};

struct ThreadInfo {
    uint32_t slot { 0 };
    bool torn { false };
    std::string problem;
    // Valid unless torn.
    uint32_t tid { 0 };
    uint32_t pid { 0 };
    std::string name;
    uint32_t state { 0 }; // debug::ThreadState; anything else is reported in `problem`
    uint32_t cpu { 0 };
    uint64_t switches { 0 };
    uint64_t sequence { 0 };
    debug::ThreadRecord record {};
};

struct Frame {
    uint64_t address { 0 };
    std::string symbol; // empty if unknown
    uint64_t offset { 0 };
};

// The registers of the paused vCPU: the running thread's stack is walked
// from them instead of from a saved context.
struct VcpuContext {
    uint64_t rip;
    uint64_t rsp;
    uint64_t rbp;
};

struct StackInfo {
    ThreadInfo thread;
    uint64_t base_va { 0 };
    uint64_t size { 0 };
    bool pages_valid { false }; // every stack page lies in guest RAM: the fields below are measured
    uint64_t watermark { 0 };
    double watermark_percent { 0 };
    bool canary_intact { false };
    bool guard_page { false };
    bool has_context { false };
    std::string context_source; // "saved" or "vcpu"
    Frame saved_rip;
    std::vector<Frame> backtrace;
    std::string problem;
};

struct SwitchInfo {
    uint64_t tsc { 0 };
    uint64_t time_ns { 0 };
    uint32_t from_tid { 0 };
    uint32_t to_tid { 0 };
    uint32_t reason { 0 }; // debug::SwitchReason
    uint32_t cpu { 0 };
};

struct CpuInfo {
    uint32_t index { 0 };
    bool torn { false };
    std::string problem;
    uint32_t id { 0 };
    uint32_t current_tid { 0 };
    uint64_t context_switches { 0 };
    uint64_t interrupts { 0 };
    uint64_t switch_count { 0 };
    std::vector<SwitchInfo> records; // oldest first
};

struct EventInfo {
    uint64_t sequence { 0 };
    uint32_t kind { 0 }; // debug::EventKind
    uint32_t tid { 0 };
    uint64_t value { 0 };
    uint64_t tsc { 0 };
    uint64_t time_ns { 0 };
    std::string text;
    bool torn { false }; // never settled; only the sequence is meaningful
};

struct EventBatch {
    std::vector<EventInfo> events;
    uint64_t next { 1 }; // the sequence to ask for next time
    uint64_t lost { 0 }; // overwritten by the ring before they were read
    bool stalled { false }; // stopped at a record still being written
};

// The cheap per-stack figures the monitor's watcher polls.
struct WatermarkSample {
    uint32_t slot { 0 };
    uint32_t tid { 0 };
    std::string name;
    uint64_t size { 0 };
    uint64_t watermark { 0 };
    double percent { 0 };
    bool canary_intact { true };
};

// One mount record (MountRecord) that is not free, or that stayed torn.
struct MountInfo {
    uint32_t slot { 0 };
    bool torn { false };
    std::string problem;
    // Valid unless torn.
    uint64_t dev { 0 };
    std::string type;
    std::string mount_point;
    bool read_only { false };
    uint64_t busy { 0 }; // odd: a metadata change is in flight
    debug::MountRecord record {};
};

// A cached block the kernel has changed but not yet written, copied out.
struct DirtyBlock {
    uint64_t number { 0 }; // in units of the mount's block_size
    std::vector<uint8_t> data;
};

class DebugTableReader {
public:
    // Checks the table at `table_gpa`; throws DecodeError if it is missing
    // (GPA 0), outside RAM or not a version-1 table with sane arrays.
    DebugTableReader(vmm::GuestMemory const& memory, uint64_t table_gpa);

    debug::Table const& table() const { return m_table; }
    uint64_t table_gpa() const { return m_gpa; }
    std::string kernel_version() const;
    std::string platform() const;
    // The guest's event counter, read now (it moves while the guest runs).
    uint64_t event_count() const;
    // Guest TSC -> nanoseconds since the guest booted (0 if unknown).
    uint64_t time_ns(uint64_t tsc) const;

    MemoryInfo memory_stats() const;
    // Every slot that is not free, and every slot that stayed torn.
    std::vector<ThreadInfo> threads() const;
    StackInfo stack(ThreadInfo const& thread, SymbolTable const* symbols,
                    std::optional<VcpuContext> vcpu = std::nullopt) const;
    // Watermark and canary of every live thread, without the context walk.
    std::vector<WatermarkSample> watermarks() const;
    // Each CPU with the last `max_records` switch records (0: all the ring
    // holds). A record keeps the low 51 bits of its TSC: `uptime_ns`, the
    // guest's uptime as the caller knows it (to a second or so), says which
    // 2^51 ticks they lie in; without it, the first 2^51 after boot.
    std::vector<CpuInfo> cpus(uint32_t max_records = 0, std::optional<uint64_t> uptime_ns = std::nullopt) const;
    // Events from sequence `next` on, at most `max`. A record still being
    // written stops the batch (`stalled`) unless `skip_torn`, which reports
    // it as torn and goes on.
    EventBatch events(uint64_t next, uint32_t max, bool skip_torn = false) const;
    SymbolTable symbols() const;
    // The mounted file systems. Throws DecodeError if the table's mount
    // array is garbage (outside RAM, an absurd capacity or record size).
    std::vector<MountInfo> mounts() const;
    // The dirty blocks of `mount`'s cache, copied out of guest memory (the
    // caller pauses the guest around it, or they may be half-written).
    // Throws DecodeError if the record or an entry makes no sense: a cache
    // layout that does not fit, entries or block bytes outside RAM, a block
    // past the device's end, one block dirty twice, more dirty bytes than
    // guest RAM. Allocates only for blocks that pass those checks.
    std::vector<DirtyBlock> dirty_blocks(MountInfo const& mount) const;

private:
    struct Stack;
    std::optional<ThreadInfo> read_thread(uint32_t slot) const;
    void read_switches(debug::CpuRecord const& record, uint64_t gpa, uint32_t max_records, uint64_t anchor,
                       CpuInfo& info) const;
    uint32_t slot_tid(uint32_t slot, uint64_t tsc) const;
    uint64_t thread_gpa(uint32_t slot) const { return m_table.threads + uint64_t(slot) * sizeof(debug::ThreadRecord); }

    vmm::GuestMemory const& m_memory;
    uint64_t m_gpa;
    debug::Table m_table;
};

// Printable text from a fixed-size, NUL-padded guest field.
std::string guest_string(char const* field, size_t size);
char const* thread_state_name(uint32_t state);
char const* switch_reason_name(uint32_t reason);
char const* event_kind_name(uint32_t kind);

} // namespace aramid::monitor
