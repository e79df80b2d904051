// The debug table: what the guest kernel publishes for aramid-vmm's monitor.
//
// The kernel registers the table's guest-physical address once at boot (a
// 32-bit write to abi::kPortDebugTable) and then keeps it current with plain
// memory writes -- never a VM exit on a hot path. The VMM reads it straight
// from guest memory, from its monitor thread, while the guest runs.
//
// The VMM trusts nothing here: every address is checked against guest RAM,
// every count against its capacity, and a record being rewritten during the
// read is detected (each record has a sequence number that is odd while the
// guest writes it, as in a seqlock) and reported as torn, not used.
//
// Addresses are guest-physical (GPA) unless the name says virtual (_va).
// Plain C-compatible layout with fixed-size fields; one header for both sides.
#pragma once

#include <stdint.h>

namespace aramid::debug {

inline constexpr uint32_t kMagic = 0x47424452; // "RDBG"
inline constexpr uint32_t kVersion = 5; // 2: the CPU's counters and the threads' switch counts are read in place;
                                        // 3: a switch record names only the thread switched to;
                                        // 4: mounted file systems (MountRecord);
                                        // 5: a switch record is one word (SwitchRecord), threads' created_tsc

inline constexpr uint32_t kMaxThreads = 512;   // thread records (slots)
inline constexpr uint32_t kSwitchRing = 256;   // context-switch records per CPU
inline constexpr uint32_t kEventRing = 128;    // events
inline constexpr uint32_t kMaxStackPages = 4;  // 16 KiB kernel stacks
inline constexpr uint32_t kNameLength = 16;
inline constexpr uint32_t kMaxMounts = 4;        // mount records (slots)
inline constexpr uint32_t kMountPointLength = 64;

enum class ThreadState : uint32_t { Free = 0, Runnable = 1, Running = 2, Blocked = 3, Dead = 4 };

// One kernel thread (every process thread is one). A free slot has state
// Free. `sequence` is odd while the kernel updates the record.
struct ThreadRecord {
    uint64_t sequence;
    uint32_t tid;
    uint32_t pid;              // 0 for kernel threads
    char name[kNameLength];    // NUL-padded
    ThreadState state;         // Free, or its state when the record was written (see state_address)
    uint32_t cpu;              // the CPU it last ran on
    // The kernel stack: its lowest virtual address and size; the GPA of each
    // 4 KiB page (the pages are not contiguous); an unmapped guard page
    // lies below stack_base_va.
    uint64_t stack_base_va;
    uint64_t stack_size;
    uint64_t stack_pages[kMaxStackPages];
    uint8_t paint;             // the byte fresh stacks are filled with
    uint8_t guard_page;        // 1 if the page below the stack is unmapped
    uint8_t pad0[6];
    uint64_t canary;           // the value the stack's lowest word must hold
    // Where the kernel keeps the thread's stack pointer while it is switched
    // out (the GPA of a u64; valid unless Running). At that stack pointer
    // switch_context left, from low to high addresses: r15, r14, r13, r12,
    // rbx, rbp and the return address (the saved rip).
    uint64_t saved_rsp_address;
    // The GPA of the thread's ThreadSwitches: kept by the scheduler in the
    // thread itself and read in place (valid while `sequence` holds).
    uint64_t switches_address;
    // The GPA of the thread's current state (a uint32_t ThreadState), kept
    // by the scheduler in the thread itself and read in place: it changes at
    // every switch.
    uint64_t state_address;
    // The TSC when the kernel filled the record: switch records made
    // before it name the slot's earlier thread, which has gone.
    uint64_t created_tsc;
    uint64_t reserved[4];
};
static_assert(sizeof(ThreadRecord) == 168);
// What a thread without a record (the table was full) is in a switch record.
inline constexpr uint32_t kNoThreadSlot = 1023;
static_assert(kMaxThreads <= kNoThreadSlot);
inline constexpr uint32_t kSavedRegisterCount = 7; // r15 r14 r13 r12 rbx rbp rip

// Start: not a switch, the CPU's first thread (see CpuRecord).
enum class SwitchReason : uint32_t { Start = 0, Yield = 1, Block = 2, Preempt = 3, Exit = 4 };

// One context switch, in one word: the TSC when the thread switched to
// started running (the kernel counts its CPU time from it), XORed with a
// tag in the top 13 bits: the slot of that thread's ThreadRecord and why.
// The low 51 bits are the TSC's own; a reader recovers the TSC's top bits
// from the time it reads, and with them the tag. The thread switched from
// is the previous record's. One word, because a second store costs a bare
// kernel-thread switch about 0.5 ns, over 1% of it; XOR, because masking
// the TSC first costs it another 0.3 ns (bench/monitor). The low 51 bits
// wrap every 2^51 cycles, 7.7 days at 3.4 GHz: the kernel counts CPU time
// in differences modulo 2^51, so a thread that runs that long without a
// single switch on its CPU loses that much CPU time. Records made before
// their slot's created_tsc name a thread that has gone.
struct SwitchRecord {
    uint64_t word;
};
static_assert(sizeof(SwitchRecord) == 8);
inline constexpr unsigned kSwitchTscBits = 51;
inline constexpr uint64_t kSwitchTscMask = (uint64_t(1) << kSwitchTscBits) - 1;
constexpr uint64_t switch_tag(uint32_t slot, SwitchReason reason) {
    return uint64_t(slot) << kSwitchTscBits | uint64_t(reason) << (kSwitchTscBits + 10);
}
constexpr SwitchRecord switch_record(uint64_t tsc, uint32_t slot, SwitchReason reason) {
    return { tsc ^ switch_tag(slot, reason) };
}
// Given the record's whole TSC (the low 51 bits are the word's).
constexpr uint32_t switch_slot(SwitchRecord r, uint64_t tsc) { return uint32_t((r.word ^ tsc) >> kSwitchTscBits) & 1023; }
constexpr SwitchReason switch_reason(SwitchRecord r, uint64_t tsc) {
    return SwitchReason((r.word ^ tsc) >> (kSwitchTscBits + 10));
}
static_assert(switch_slot(switch_record(~uint64_t(0), kNoThreadSlot, SwitchReason::Exit), ~uint64_t(0)) == kNoThreadSlot);
static_assert(switch_reason(switch_record(~uint64_t(0), 5, SwitchReason::Exit), ~uint64_t(0)) == SwitchReason::Exit);
static_assert((switch_record(~uint64_t(0), 5, SwitchReason::Exit).word & kSwitchTscMask) == kSwitchTscMask);

// Context switches away from a thread, as Linux counts them (getrusage's
// ru_nvcsw and ru_nivcsw): voluntary when it blocked, involuntary when it
// was preempted or yielded.
struct ThreadSwitches {
    uint64_t voluntary;
    uint64_t involuntary;
};

// The CPU's own counters, which the kernel keeps for itself (in its per-CPU
// data) and the monitor reads in place.
struct CpuCounters {
    uint64_t context_switches;
    uint64_t interrupts;
};

// One CPU. A context switch writes nothing here but one ring slot: switch n
// (from 0) goes to switches[n % kSwitchRing] before the CPU's
// context_switches counts it, so the slots below that count are complete
// unless a later switch has overwritten them since (a reader checks the
// count again after copying). The newest record's thread is the one
// running now. Before switch 0 the last slot holds a Start record for the
// CPU's first thread, as if it were switch -1, so switch 0 has a
// predecessor too.
struct CpuRecord {
    uint64_t sequence;         // odd while the kernel fills the fields above the ring (at boot)
    uint32_t id;
    uint32_t reserved0;
    uint64_t counters_address; // GPA of the CPU's CpuCounters
    uint64_t reserved[3];
    SwitchRecord switches[kSwitchRing];
};
static_assert(sizeof(CpuRecord) == 48 + kSwitchRing * sizeof(SwitchRecord));

enum class EventKind : uint32_t {
    ThreadCreated = 1,
    ThreadExited = 2,
    CanaryBroken = 3,          // value = the thread's tid; the kernel panics next
    Panic = 4,                 // text = the panic message
    UnknownSyscall = 5,        // value = the syscall number
    StackOverflow = 6,         // value = the faulting address in the guard page
};

struct EventRecord {
    uint64_t sequence;         // 1, 2, 3, ... (0: never written)
    EventKind kind;
    uint32_t tid;
    uint64_t value;
    uint64_t tsc;
    char text[64];             // NUL-padded
};
static_assert(sizeof(EventRecord) == 96);

struct MemoryStats {
    uint64_t sequence;
    uint64_t total_pages;
    uint64_t free_pages;
    uint64_t heap_bytes;
    uint64_t heap_allocations;
    uint64_t heap_frees;
    uint64_t slab_pages;
    uint64_t large_pages;
};

enum class MountState : uint32_t { Free = 0, Mounted = 1 };

inline constexpr uint32_t kMountReadOnly = 1; // MountRecord::flags

// One mounted ext2/ext3/ext4 file system, for `aramid-mon fs-bitmaps`: what
// the file system's truth is made of -- the device (the VMM's disk image)
// overlaid with the blocks the kernel has changed but not yet written, which
// sit dirty in the file system's BlockCache (guest/fs/block_cache.h). The
// record says where that cache's entries lie and how one is laid out, as
// the kernel was compiled, so that the reader depends on this header alone.
// An entry whose data is 0 has never been used.
//
// `sequence` is odd while the kernel writes the record (at mount, when the
// VFS places it, at unmount). `busy` changes without it: the file system adds
// one as each metadata-changing operation starts and one as it ends, so an
// odd value means one is in flight and its half-done work is not corruption.
struct MountRecord {
    uint64_t sequence;
    MountState state;
    uint32_t flags;            // kMountReadOnly
    uint64_t dev;              // st_dev, Linux's dev_t encoding (254:0 is /dev/vda)
    char type[8];              // "ext4", "ext3", "ext2"; NUL-padded
    char mount_point[kMountPointLength]; // NUL-padded; empty until the VFS places it; a longer path is cut
    uint64_t device_bytes;     // the device's size
    uint32_t block_size;       // the cache's block size: entry `number` is at byte number * block_size
    uint32_t cache_capacity;   // entries in the array
    uint64_t cache_entries;    // GPA of the cache's BlockCacheEntry[cache_capacity]
    // One BlockCacheEntry as the kernel lays it out: its size (the
    // stride) and where three of its fields are.
    uint32_t entry_size;
    uint16_t entry_number_offset; // u64: the block's number
    uint16_t entry_data_offset;   // u64: the bytes' kernel virtual address (direct map; 0 if never used)
    uint16_t entry_dirty_offset;  // u8: nonzero while the bytes differ from the device's
    uint16_t reserved0[3];
    uint64_t busy;
    uint64_t reserved[4];
};
static_assert(sizeof(MountRecord) == 176);

struct Table {
    uint32_t magic;
    uint32_t version;
    uint32_t size;             // sizeof(Table) as the kernel knows it
    uint32_t cpu_count;
    char kernel_version[32];
    char platform[16];         // "pvm" or "native"
    uint64_t tsc_khz;
    uint64_t boot_tsc;
    uint64_t kernel_virtual_base; // image VA = GPA + this
    uint64_t direct_map_base;     // direct-map VA = GPA + this
    // Arrays elsewhere in guest memory (GPAs), with their capacity and the
    // size of one element as the kernel knows it.
    uint64_t threads;          // ThreadRecord[thread_capacity]
    uint32_t thread_capacity;
    uint32_t thread_record_size;
    uint64_t cpus;             // CpuRecord[cpu_count]
    uint32_t cpu_record_size;
    uint32_t switch_ring_capacity;
    uint64_t events;           // EventRecord[event_capacity]
    uint32_t event_capacity;
    uint32_t event_record_size;
    uint64_t event_count;      // events written so far
    uint64_t memory;           // MemoryStats
    uint64_t symbols;          // the kernel's .ksyms section (debug/ksyms.h layout)
    uint64_t symbols_size;
    uint64_t log;              // the kernel log ring (text)
    uint64_t log_size;
    uint64_t log_written;      // bytes written so far (the ring holds the last log_size)
    uint64_t mounts;           // MountRecord[mount_capacity]
    uint32_t mount_capacity;
    uint32_t mount_record_size;
    uint64_t reserved[6];
};

} // namespace aramid::debug
