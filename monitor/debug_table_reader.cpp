#include <monitor/debug_table_reader.h>

#include <vmm/kvm/guest_memory.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <cstddef>
#include <span>

namespace aramid::monitor {

namespace dt = aramid::debug;

namespace {

constexpr uint64_t kPageSize = 4096;

std::string hex(uint64_t value) {
    char text[24];
    std::snprintf(text, sizeof(text), "%#llx", static_cast<unsigned long long>(value));
    return text;
}

// Whether the array [gpa, gpa + count * element) lies in guest RAM, with
// overflow-safe arithmetic.
bool array_in_ram(vmm::GuestMemory const& memory, uint64_t gpa, uint64_t count, uint64_t element) {
    uint64_t bytes;
    if (__builtin_mul_overflow(count, element, &bytes)) return false;
    return memory.contains(gpa, bytes);
}

// A short wait between two attempts at a record the guest is rewriting (it
// takes the guest well under a microsecond).
void back_off(unsigned attempt) {
    for (unsigned i = 0; i < (16u << attempt); i++) __builtin_ia32_pause();
}

uint64_t load_u64(vmm::GuestMemory const& memory, uint64_t gpa) {
    std::atomic_signal_fence(std::memory_order_seq_cst);
    uint64_t value = memory.read<uint64_t>(gpa).value_or(1); // odd: never a settled sequence
    std::atomic_thread_fence(std::memory_order_acquire);
    return value;
}

// Copies the seqlocked record at `gpa` (its first field is the sequence), or
// nullopt if it stayed odd or kept changing. The caller checked the range.
template<typename Record>
std::optional<Record> read_seqlocked(vmm::GuestMemory const& memory, uint64_t gpa) {
    static_assert(offsetof(Record, sequence) == 0);
    for (unsigned attempt = 0; attempt < kSeqlockRetries; attempt++) {
        uint64_t const before = load_u64(memory, gpa);
        if (before & 1) {
            back_off(attempt);
            continue;
        }
        auto record = memory.read<Record>(gpa);
        if (!record) return std::nullopt;
        uint64_t const after = load_u64(memory, gpa);
        if (before == after && record->sequence == before) return record;
        back_off(attempt);
    }
    return std::nullopt;
}

// The index of the first byte of `bytes` that is not `paint`, or its size.
// Most of a stack is paint, so whole blocks are compared with memcmp (which
// is vectorized) against a block of paint first.
size_t first_unpainted(std::span<uint8_t const> bytes, uint8_t paint) {
    constexpr size_t kBlock = 512;
    static thread_local uint8_t pattern[kBlock];
    static thread_local int pattern_paint = -1;
    if (pattern_paint != paint) {
        std::memset(pattern, paint, kBlock);
        pattern_paint = paint;
    }
    size_t i = 0;
    while (i + kBlock <= bytes.size() && std::memcmp(bytes.data() + i, pattern, kBlock) == 0) i += kBlock;
    while (i + 8 <= bytes.size() && std::memcmp(bytes.data() + i, pattern, 8) == 0) i += 8;
    for (; i < bytes.size(); i++)
        if (bytes[i] != paint) return i;
    return bytes.size();
}

} // namespace

std::string guest_string(char const* field, size_t size) {
    std::string text;
    for (size_t i = 0; i < size && field[i]; i++) {
        unsigned char const c = static_cast<unsigned char>(field[i]);
        text += c >= 0x20 && c < 0x7f ? char(c) : '?';
    }
    return text;
}

char const* thread_state_name(uint32_t state) {
    switch (dt::ThreadState(state)) {
    case dt::ThreadState::Free: return "free";
    case dt::ThreadState::Runnable: return "runnable";
    case dt::ThreadState::Running: return "running";
    case dt::ThreadState::Blocked: return "blocked";
    case dt::ThreadState::Dead: return "dead";
    }
    return "unknown";
}

char const* switch_reason_name(uint32_t reason) {
    switch (dt::SwitchReason(reason)) {
    case dt::SwitchReason::Yield: return "yield";
    case dt::SwitchReason::Block: return "block";
    case dt::SwitchReason::Preempt: return "preempt";
    case dt::SwitchReason::Exit: return "exit";
    case dt::SwitchReason::Start: break; // only ever a predecessor, never a record shown
    }
    return "unknown";
}

char const* event_kind_name(uint32_t kind) {
    switch (dt::EventKind(kind)) {
    case dt::EventKind::ThreadCreated: return "thread-created";
    case dt::EventKind::ThreadExited: return "thread-exited";
    case dt::EventKind::CanaryBroken: return "canary-broken";
    case dt::EventKind::Panic: return "panic";
    case dt::EventKind::UnknownSyscall: return "unknown-syscall";
    case dt::EventKind::StackOverflow: return "stack-overflow";
    }
    return "unknown";
}

// ---- the table as a whole

DebugTableReader::DebugTableReader(vmm::GuestMemory const& memory, uint64_t table_gpa)
    : m_memory(memory), m_gpa(table_gpa) {
    if (table_gpa == 0) throw DecodeError("the kernel has not registered a debug table (yet)");
    auto table = memory.read<dt::Table>(table_gpa);
    if (!table)
        throw DecodeError("debug table at " + hex(table_gpa) + " is outside guest RAM ("
            + std::to_string(memory.size() >> 20) + " MiB)");
    m_table = *table;
    dt::Table const& t = m_table;
    if (t.magic != dt::kMagic)
        throw DecodeError(
            "no debug table at " + hex(table_gpa) + ": magic " + hex(t.magic) + ", expected " + hex(dt::kMagic));
    if (t.version != dt::kVersion)
        throw DecodeError("debug table version " + std::to_string(t.version) + "; this monitor reads version "
                          + std::to_string(dt::kVersion));
    if (t.size != sizeof(dt::Table))
        throw DecodeError(
            "debug table size " + std::to_string(t.size) + ", expected " + std::to_string(sizeof(dt::Table)));
    if (t.cpu_count == 0 || t.cpu_count > kMaxCpuCount)
        throw DecodeError("debug table: absurd CPU count " + std::to_string(t.cpu_count));
    if (t.thread_capacity > kMaxThreadCapacity)
        throw DecodeError("debug table: absurd thread capacity " + std::to_string(t.thread_capacity));
    if (t.thread_record_size != sizeof(dt::ThreadRecord))
        throw DecodeError("debug table: thread record size " + std::to_string(t.thread_record_size) + ", expected "
                          + std::to_string(sizeof(dt::ThreadRecord)));
    if (!array_in_ram(memory, t.threads, t.thread_capacity, sizeof(dt::ThreadRecord)))
        throw DecodeError("debug table: thread records at " + hex(t.threads) + " (" + std::to_string(t.thread_capacity)
                          + ") are outside guest RAM");
    if (t.cpu_record_size != sizeof(dt::CpuRecord) || t.switch_ring_capacity != dt::kSwitchRing)
        throw DecodeError("debug table: CPU record size " + std::to_string(t.cpu_record_size) + " with "
                          + std::to_string(t.switch_ring_capacity) + " switch records, expected "
                          + std::to_string(sizeof(dt::CpuRecord)) + " with " + std::to_string(dt::kSwitchRing));
    if (!array_in_ram(memory, t.cpus, t.cpu_count, sizeof(dt::CpuRecord)))
        throw DecodeError("debug table: CPU records at " + hex(t.cpus) + " are outside guest RAM");
    if (t.event_capacity == 0 || t.event_capacity > kMaxEventCapacity)
        throw DecodeError("debug table: absurd event capacity " + std::to_string(t.event_capacity));
    if (t.event_record_size != sizeof(dt::EventRecord))
        throw DecodeError("debug table: event record size " + std::to_string(t.event_record_size) + ", expected "
                          + std::to_string(sizeof(dt::EventRecord)));
    if (!array_in_ram(memory, t.events, t.event_capacity, sizeof(dt::EventRecord)))
        throw DecodeError("debug table: event records at " + hex(t.events) + " are outside guest RAM");
}

std::string DebugTableReader::kernel_version() const {
    return guest_string(m_table.kernel_version, sizeof(m_table.kernel_version));
}

std::string DebugTableReader::platform() const { return guest_string(m_table.platform, sizeof(m_table.platform)); }

uint64_t DebugTableReader::event_count() const {
    return load_u64(m_memory, m_gpa + offsetof(dt::Table, event_count));
}

uint64_t DebugTableReader::time_ns(uint64_t tsc) const {
    if (m_table.tsc_khz == 0 || tsc < m_table.boot_tsc) return 0;
    unsigned __int128 const ns = static_cast<unsigned __int128>(tsc - m_table.boot_tsc) * 1000000u / m_table.tsc_khz;
    return ns > UINT64_MAX ? UINT64_MAX : uint64_t(ns);
}

MemoryInfo DebugTableReader::memory_stats() const {
    MemoryInfo info;
    if (!m_memory.contains(m_table.memory, sizeof(dt::MemoryStats)) || m_table.memory == 0) {
        info.problem = "memory statistics at " + hex(m_table.memory) + " are outside guest RAM";
        return info;
    }
    auto stats = read_seqlocked<dt::MemoryStats>(m_memory, m_table.memory);
    if (!stats) {
        info.torn = true;
        return info;
    }
    info.total_pages = stats->total_pages;
    info.free_pages = stats->free_pages;
    info.heap_bytes = stats->heap_bytes;
    info.heap_allocations = stats->heap_allocations;
    info.heap_frees = stats->heap_frees;
    info.slab_pages = stats->slab_pages;
    info.large_pages = stats->large_pages;
    if (info.free_pages > info.total_pages) info.problem = "more free pages than pages";
    return info;
}

SymbolTable DebugTableReader::symbols() const {
    return SymbolTable::load(m_memory, m_table.symbols, m_table.symbols_size);
}

// ---- threads

std::optional<ThreadInfo> DebugTableReader::read_thread(uint32_t slot) const {
    // Most slots are free: skip them on a settled sequence and a free state
    // without copying the whole record. A slot being filled right now is
    // seen on the next read.
    uint64_t const gpa = thread_gpa(slot);
    uint64_t const sequence = load_u64(m_memory, gpa);
    auto const state = m_memory.read<uint32_t>(gpa + offsetof(dt::ThreadRecord, state));
    std::atomic_thread_fence(std::memory_order_acquire);
    if (!(sequence & 1) && state == uint32_t(dt::ThreadState::Free) && load_u64(m_memory, gpa) == sequence)
        return std::nullopt;
    ThreadInfo info;
    info.slot = slot;
    auto record = read_seqlocked<dt::ThreadRecord>(m_memory, gpa);
    if (!record) {
        info.torn = true;
        info.problem = "the record kept changing while it was read";
        return info;
    }
    if (record->state == dt::ThreadState::Free) return std::nullopt;
    info.record = *record;
    info.sequence = record->sequence;
    info.tid = record->tid;
    info.pid = record->pid;
    info.name = guest_string(record->name, sizeof(record->name));
    info.state = uint32_t(record->state);
    info.cpu = record->cpu;
    // The live state and switch counts are the thread's own fields; they
    // belong to this record only while its sequence holds.
    auto const live_state = m_memory.read<uint32_t>(record->state_address);
    auto const switches = m_memory.read<dt::ThreadSwitches>(record->switches_address);
    if (load_u64(m_memory, gpa) != record->sequence) {
        info.torn = true;
        info.problem = "the record kept changing while it was read";
        return info;
    }
    if (live_state) info.state = *live_state;
    if (switches) info.switches = switches->voluntary + switches->involuntary;
    if (!live_state)
        info.problem = "the thread's state at GPA " + hex(record->state_address) + " is outside guest RAM";
    else if (!switches)
        info.problem = "the thread's switch counts at GPA " + hex(record->switches_address) + " are outside guest RAM";
    else if (info.state == uint32_t(dt::ThreadState::Free) || info.state > uint32_t(dt::ThreadState::Dead))
        info.problem = "unknown thread state " + std::to_string(info.state);
    else if (info.cpu >= m_table.cpu_count) info.problem = "CPU " + std::to_string(info.cpu) + " does not exist";
    return info;
}

std::vector<ThreadInfo> DebugTableReader::threads() const {
    std::vector<ThreadInfo> result;
    for (uint32_t slot = 0; slot < m_table.thread_capacity; slot++)
        if (auto thread = read_thread(slot)) result.push_back(std::move(*thread));
    return result;
}

// A thread's kernel stack seen through the GPAs of its pages: each entry of
// stack_pages is the GPA of the stack byte at base + index * 4 KiB, good for
// the next 4 KiB (or up to the stack's end).
struct DebugTableReader::Stack {
    uint64_t base { 0 };
    uint64_t size { 0 };
    uint64_t pages[dt::kMaxStackPages] {};
    uint32_t page_count { 0 };
    std::string problem;

    Stack(vmm::GuestMemory const& memory, dt::ThreadRecord const& record) {
        base = record.stack_base_va;
        size = record.stack_size;
        if (size == 0 || size > dt::kMaxStackPages * kPageSize) {
            problem = "stack size " + std::to_string(size) + " is not between 1 and "
                + std::to_string(dt::kMaxStackPages * kPageSize) + " bytes";
            return;
        }
        if (base + size < base) {
            problem = "stack at " + hex(base) + " wraps around the address space";
            return;
        }
        uint32_t const count = uint32_t((size + kPageSize - 1) / kPageSize);
        for (uint32_t p = 0; p < count; p++) {
            if (!memory.contains(record.stack_pages[p], page_length(p))) {
                problem = "stack page " + std::to_string(p) + " at GPA " + hex(record.stack_pages[p])
                    + " is outside guest RAM";
                return;
            }
            pages[p] = record.stack_pages[p];
        }
        page_count = count;
    }
    bool valid() const { return page_count > 0; }
    uint64_t top() const { return base + size; }
    uint64_t page_length(uint32_t p) const { return std::min<uint64_t>(kPageSize, size - uint64_t(p) * kPageSize); }
    std::span<uint8_t const> page(vmm::GuestMemory const& memory, uint32_t p) const {
        auto bytes = memory.span(pages[p], page_length(p));
        return bytes ? std::span<uint8_t const>(*bytes) : std::span<uint8_t const>();
    }
    // The u64 at stack address `va`, if it lies inside the stack.
    std::optional<uint64_t> read(vmm::GuestMemory const& memory, uint64_t va) const {
        if (!valid() || va < base || va >= top() || top() - va < 8) return std::nullopt;
        uint64_t const offset = va - base;
        uint8_t bytes[8];
        for (unsigned i = 0; i < 8; i++) { // may straddle two pages
            uint64_t const at = offset + i;
            auto byte = memory.read<uint8_t>(pages[at / kPageSize] + at % kPageSize);
            if (!byte) return std::nullopt;
            bytes[i] = *byte;
        }
        uint64_t value;
        std::memcpy(&value, bytes, 8);
        return value;
    }
    // Bytes from the top down to the deepest byte that lost its paint; the
    // lowest 8 bytes are the canary's and not counted.
    uint64_t watermark(vmm::GuestMemory const& memory, uint8_t paint) const {
        for (uint32_t p = 0; p < page_count; p++) {
            auto bytes = page(memory, p);
            size_t const skip = p == 0 ? std::min<size_t>(8, bytes.size()) : 0;
            size_t const index = skip + first_unpainted(bytes.subspan(skip), paint);
            if (index < bytes.size()) return size - (uint64_t(p) * kPageSize + index);
        }
        return 0;
    }
    bool canary_intact(vmm::GuestMemory const& memory, uint64_t canary) const {
        auto word = read(memory, base);
        return word && *word == canary;
    }
};

namespace {

Frame symbolize(uint64_t address, SymbolTable const* symbols) {
    Frame frame;
    frame.address = address;
    if (symbols) {
        if (auto symbol = symbols->lookup(address)) {
            frame.symbol = std::string(symbol->name);
            frame.offset = symbol->offset;
        }
    }
    return frame;
}

} // namespace

StackInfo DebugTableReader::stack(ThreadInfo const& thread, SymbolTable const* symbols,
                                  std::optional<VcpuContext> vcpu) const {
    StackInfo info;
    info.thread = thread;
    if (thread.torn) {
        info.problem = thread.problem;
        return info;
    }
    dt::ThreadRecord const& record = thread.record;
    info.base_va = record.stack_base_va;
    info.size = record.stack_size;
    info.guard_page = record.guard_page == 1;
    Stack const stack(m_memory, record);
    if (!stack.valid()) {
        info.problem = stack.problem;
        return info;
    }
    info.pages_valid = true;
    info.watermark = stack.watermark(m_memory, record.paint);
    info.watermark_percent = 100.0 * double(info.watermark) / double(info.size);
    info.canary_intact = stack.canary_intact(m_memory, record.canary);

    // Where to start the walk: the context switch_context saved, or the
    // paused vCPU's registers for the running thread.
    uint64_t rip = 0, rbp = 0, lowest = 0;
    if (thread.state == uint32_t(dt::ThreadState::Running)) {
        if (!vcpu) {
            info.problem = "running: no saved context (pause the VM for its registers)";
            return info;
        }
        if (vcpu->rsp < stack.base || vcpu->rsp >= stack.top()) {
            info.problem
                = "running, but the vCPU's stack pointer " + hex(vcpu->rsp) + " is not on this stack (user mode?)";
            return info;
        }
        rip = vcpu->rip;
        rbp = vcpu->rbp;
        lowest = vcpu->rsp;
        info.context_source = "vcpu";
    } else {
        auto rsp = m_memory.read<uint64_t>(record.saved_rsp_address);
        if (!rsp) {
            info.problem = "saved stack pointer at GPA " + hex(record.saved_rsp_address) + " is outside guest RAM";
            return info;
        }
        uint64_t const frame_bytes = dt::kSavedRegisterCount * 8;
        if (*rsp < stack.base || *rsp > stack.top() || stack.top() - *rsp < frame_bytes || (*rsp & 7)) {
            info.problem = "saved stack pointer " + hex(*rsp) + " is not inside the stack";
            return info;
        }
        auto saved_rbp = stack.read(m_memory, *rsp + 5 * 8);
        auto saved_rip = stack.read(m_memory, *rsp + 6 * 8);
        if (!saved_rbp || !saved_rip) {
            info.problem = "the saved registers could not be read";
            return info;
        }
        rip = *saved_rip;
        rbp = *saved_rbp;
        lowest = *rsp + frame_bytes;
        info.context_source = "saved";
    }
    info.has_context = true;
    info.saved_rip = symbolize(rip, symbols);
    // The frame-pointer chain: [rbp] is the caller's rbp, [rbp + 8] the
    // return address. Frames only go up the stack, so the walk cannot loop.
    for (uint32_t depth = 0; depth < kMaxBacktrace; depth++) {
        if (rbp < lowest || (rbp & 7) || rbp >= stack.top() || stack.top() - rbp < 16) break;
        auto next = stack.read(m_memory, rbp);
        auto return_address = stack.read(m_memory, rbp + 8);
        if (!next || !return_address || *return_address == 0) break;
        info.backtrace.push_back(symbolize(*return_address, symbols));
        if (*next <= rbp) break;
        lowest = rbp + 16;
        rbp = *next;
    }
    return info;
}

std::vector<WatermarkSample> DebugTableReader::watermarks() const {
    std::vector<WatermarkSample> samples;
    for (ThreadInfo const& thread : threads()) {
        if (thread.torn) continue;
        Stack const stack(m_memory, thread.record);
        if (!stack.valid()) continue;
        WatermarkSample sample;
        sample.slot = thread.slot;
        sample.tid = thread.tid;
        sample.name = thread.name;
        sample.size = stack.size;
        sample.watermark = stack.watermark(m_memory, thread.record.paint);
        sample.percent = 100.0 * double(sample.watermark) / double(sample.size);
        sample.canary_intact = stack.canary_intact(m_memory, thread.record.canary);
        // The thread may have exited and its pages been reused meanwhile:
        // keep the sample only if its record did not change.
        if (load_u64(m_memory, thread_gpa(thread.slot)) != thread.sequence) continue;
        samples.push_back(std::move(sample));
    }
    return samples;
}

// ---- CPUs and their switch rings

std::vector<CpuInfo> DebugTableReader::cpus(uint32_t max_records, std::optional<uint64_t> uptime_ns) const {
    // The latest TSC a record can have: now, and a second for the caller's
    // idea of now (or the end of the first 2^51 ticks).
    uint64_t anchor = m_table.boot_tsc + dt::kSwitchTscMask;
    if (uptime_ns)
        anchor = m_table.boot_tsc + uint64_t(static_cast<unsigned __int128>(*uptime_ns) * m_table.tsc_khz / 1000000u)
                 + m_table.tsc_khz * 1000;
    std::vector<CpuInfo> result;
    for (uint32_t i = 0; i < m_table.cpu_count; i++) {
        CpuInfo info;
        info.index = i;
        uint64_t const gpa = m_table.cpus + uint64_t(i) * sizeof(dt::CpuRecord);
        auto record = read_seqlocked<dt::CpuRecord>(m_memory, gpa);
        if (!record) {
            info.torn = true;
            info.problem = "the record kept changing while it was read";
            result.push_back(std::move(info));
            continue;
        }
        info.id = record->id;
        read_switches(*record, gpa, max_records, anchor, info);
        result.push_back(std::move(info));
    }
    return result;
}

// The CPU's counters and ring (proto/debug_table.h): the count before the
// ring is copied says which slots were complete, the count after it which
// of those a newer switch may have overwritten meanwhile. A record names
// the thread switched from through its predecessor's thread, so a record
// is shown only if its predecessor's slot is whole too (switch 0's is the
// Start record in the last slot, "switch -1"). A record's TSC is the latest
// one at or before `anchor` with the word's low 51 bits; its top bits undo
// the tag's XOR.
void DebugTableReader::read_switches(dt::CpuRecord const& record, uint64_t gpa, uint32_t max_records,
                                     uint64_t anchor, CpuInfo& info) const {
    auto const before = m_memory.read<dt::CpuCounters>(record.counters_address);
    struct Ring {
        dt::SwitchRecord slots[dt::kSwitchRing];
    };
    auto const ring = m_memory.read<Ring>(gpa + offsetof(dt::CpuRecord, switches));
    auto const after = m_memory.read<dt::CpuCounters>(record.counters_address);
    if (!before || !after || !ring) {
        info.problem = "the CPU's counters at GPA " + hex(record.counters_address) + " are outside guest RAM";
        return;
    }
    uint64_t const count = before->context_switches;
    info.context_switches = count;
    info.switch_count = count;
    info.interrupts = before->interrupts;
    if (after->context_switches < count) {
        info.problem = "the context-switch count went backwards";
        return;
    }
    uint64_t const capacity = dt::kSwitchRing;
    uint64_t const started = after->context_switches; // switches begun, at most
    // Switch n's slot is reused by switch n + capacity, which writes it
    // before it is counted.
    auto const whole = [&](uint64_t n) { return n + capacity > started; };
    // Switch n - 1's, or before switch 0 the Start record (switch -1).
    auto const predecessor_whole = [&](uint64_t n) { return n > 0 ? whole(n - 1) : capacity - 1 > started; };
    auto const predecessor = [&](uint64_t n) -> dt::SwitchRecord const& {
        return ring->slots[(n + capacity - 1) % capacity];
    };
    if (!predecessor_whole(count)) {
        info.torn = true;
        info.problem = "the ring was overwritten while it was read";
        return;
    }
    auto const tsc = [&](dt::SwitchRecord s) { return anchor - ((anchor - s.word) & dt::kSwitchTscMask); };
    auto const tid = [&](dt::SwitchRecord s) { return slot_tid(dt::switch_slot(s, tsc(s)), tsc(s)); };
    info.current_tid = tid(predecessor(count));
    uint64_t first = count >= capacity ? count - capacity + 1 : 0;
    while (first < count && !predecessor_whole(first)) first++;
    if (max_records && count - first > max_records) first = count - max_records;
    for (uint64_t n = first; n < count; n++) {
        dt::SwitchRecord const s = ring->slots[n % capacity];
        info.records.push_back(
            { tsc(s), time_ns(tsc(s)), tid(predecessor(n)), tid(s), uint32_t(dt::switch_reason(s, tsc(s))), info.id });
    }
}

// The tid of the thread whose record was in `slot` at TSC `tsc`, or 0:
// none (a full table), a slot out of range, a record being rewritten, or
// one filled after `tsc` (that thread has gone and its slot has been taken
// again). A freed slot keeps its thread's tid until it is taken.
uint32_t DebugTableReader::slot_tid(uint32_t slot, uint64_t tsc) const {
    if (slot >= m_table.thread_capacity) return 0;
    auto const record = read_seqlocked<dt::ThreadRecord>(m_memory, thread_gpa(slot));
    return record && record->created_tsc <= tsc ? record->tid : 0;
}

// ---- events

EventBatch DebugTableReader::events(uint64_t next, uint32_t max, bool skip_torn) const {
    EventBatch batch;
    uint64_t const count = event_count();
    uint64_t const capacity = m_table.event_capacity;
    next = std::max<uint64_t>(next, 1);
    uint64_t const oldest = count > capacity ? count - capacity + 1 : 1;
    if (next < oldest) {
        batch.lost += oldest - next;
        next = oldest;
    }
    while (next <= count && batch.events.size() < max) {
        uint64_t const gpa = m_table.events + ((next - 1) % capacity) * sizeof(dt::EventRecord);
        enum { Pending, Read, Overwritten } outcome = Pending;
        dt::EventRecord record {};
        for (unsigned attempt = 0; attempt < kSeqlockRetries && outcome == Pending; attempt++) {
            uint64_t const before = load_u64(m_memory, gpa);
            if (before > next) {
                outcome = Overwritten;
                break;
            }
            if (before == next) {
                auto copy = m_memory.read<dt::EventRecord>(gpa);
                uint64_t const after = load_u64(m_memory, gpa);
                if (copy && after == next && copy->sequence == next) {
                    record = *copy;
                    outcome = Read;
                    break;
                }
                if (after != next) {
                    // 0: a newer event is being written over it.
                    outcome = Overwritten;
                    break;
                }
            }
            back_off(attempt); // 0 or an older number: still being written
        }
        if (outcome == Overwritten) {
            batch.lost++;
        } else if (outcome == Read) {
            EventInfo event;
            event.sequence = next;
            event.kind = uint32_t(record.kind);
            event.tid = record.tid;
            event.value = record.value;
            event.tsc = record.tsc;
            event.time_ns = time_ns(record.tsc);
            event.text = guest_string(record.text, sizeof(record.text));
            batch.events.push_back(std::move(event));
        } else if (skip_torn) {
            EventInfo event;
            event.sequence = next;
            event.torn = true;
            batch.events.push_back(std::move(event));
        } else {
            batch.stalled = true;
            break;
        }
        next++;
    }
    batch.next = next;
    return batch;
}

// ---- mounted file systems

std::vector<MountInfo> DebugTableReader::mounts() const {
    dt::Table const& t = m_table;
    if (t.mount_capacity == 0) return {};
    if (t.mount_capacity > kMaxMountCapacity)
        throw DecodeError("debug table: absurd mount capacity " + std::to_string(t.mount_capacity));
    if (t.mount_record_size != sizeof(dt::MountRecord))
        throw DecodeError("debug table: mount record size " + std::to_string(t.mount_record_size) + ", expected "
                          + std::to_string(sizeof(dt::MountRecord)));
    if (!array_in_ram(m_memory, t.mounts, t.mount_capacity, sizeof(dt::MountRecord)))
        throw DecodeError("debug table: mount records at " + hex(t.mounts) + " (" + std::to_string(t.mount_capacity)
                          + ") are outside guest RAM");
    std::vector<MountInfo> mounts;
    for (uint32_t slot = 0; slot < t.mount_capacity; slot++) {
        uint64_t const gpa = t.mounts + uint64_t(slot) * sizeof(dt::MountRecord);
        auto record = read_seqlocked<dt::MountRecord>(m_memory, gpa);
        MountInfo info;
        info.slot = slot;
        if (!record) {
            info.torn = true;
            info.problem = "the record kept changing while it was read";
            mounts.push_back(std::move(info));
            continue;
        }
        if (record->state == dt::MountState::Free) continue;
        info.record = *record;
        info.dev = record->dev;
        info.type = guest_string(record->type, sizeof(record->type));
        info.mount_point = guest_string(record->mount_point, sizeof(record->mount_point));
        info.read_only = record->flags & dt::kMountReadOnly;
        info.busy = record->busy;
        if (record->state != dt::MountState::Mounted)
            info.problem = "unknown state " + std::to_string(uint32_t(record->state));
        mounts.push_back(std::move(info));
    }
    return mounts;
}

std::vector<DirtyBlock> DebugTableReader::dirty_blocks(MountInfo const& mount) const {
    dt::MountRecord const& r = mount.record;
    std::string const where = "mount " + std::to_string(mount.slot) + ": ";
    if (mount.torn) throw DecodeError(where + "the record is torn");
    uint32_t const block_size = r.block_size;
    if (block_size < 512 || block_size > 65536 || (block_size & (block_size - 1)))
        throw DecodeError(where + "absurd block size " + std::to_string(block_size));
    if (r.cache_capacity > kMaxCacheCapacity)
        throw DecodeError(where + "absurd cache capacity " + std::to_string(r.cache_capacity));
    if (r.cache_capacity == 0) return {};
    uint32_t const stride = r.entry_size;
    if (stride == 0 || stride > kMaxCacheEntrySize || uint32_t(r.entry_number_offset) + 8 > stride
        || uint32_t(r.entry_data_offset) + 8 > stride || uint32_t(r.entry_dirty_offset) + 1 > stride)
        throw DecodeError(where + "a cache entry layout that does not fit: size " + std::to_string(stride)
                          + ", number at " + std::to_string(r.entry_number_offset) + ", data at "
                          + std::to_string(r.entry_data_offset) + ", dirty at "
                          + std::to_string(r.entry_dirty_offset));
    if (!array_in_ram(m_memory, r.cache_entries, r.cache_capacity, stride))
        throw DecodeError(where + "cache entries at " + hex(r.cache_entries) + " ("
                          + std::to_string(r.cache_capacity) + " of " + std::to_string(stride)
                          + " bytes) are outside guest RAM");
    uint64_t const device_blocks = r.device_bytes / block_size;
    uint64_t const direct_map = m_table.direct_map_base;
    // First the checks, with no allocation but the list of what to copy.
    struct Found {
        uint64_t number;
        uint64_t gpa;
    };
    std::vector<Found> found;
    uint64_t total = 0;
    for (uint32_t i = 0; i < r.cache_capacity; i++) {
        uint64_t const entry = r.cache_entries + uint64_t(i) * stride;
        // In RAM: the whole array was checked above.
        if (m_memory.read<uint8_t>(entry + r.entry_dirty_offset).value_or(0) == 0) continue;
        uint64_t const number = m_memory.read<uint64_t>(entry + r.entry_number_offset).value_or(~0ull);
        uint64_t const data = m_memory.read<uint64_t>(entry + r.entry_data_offset).value_or(0);
        std::string const what = where + "cache entry " + std::to_string(i) + " (block " + std::to_string(number) + ")";
        if (number >= device_blocks)
            throw DecodeError(what + " is dirty and past the device's end (" + std::to_string(device_blocks)
                              + " blocks)");
        if (data < direct_map || !m_memory.contains(data - direct_map, block_size))
            throw DecodeError(what + ": its bytes at " + hex(data) + " are not in the direct map of guest RAM");
        total += block_size;
        if (total > m_memory.size())
            throw DecodeError(where + "more dirty cache bytes than guest RAM: the entries are garbage");
        found.push_back({ number, data - direct_map });
    }
    std::sort(found.begin(), found.end(), [](Found const& a, Found const& b) { return a.number < b.number; });
    for (size_t i = 1; i < found.size(); i++)
        if (found[i].number == found[i - 1].number)
            throw DecodeError(where + "block " + std::to_string(found[i].number) + " is dirty in two cache entries");
    std::vector<DirtyBlock> blocks;
    blocks.reserve(found.size());
    for (Found const& f : found) {
        auto bytes = m_memory.span(f.gpa, block_size);
        if (!bytes) throw DecodeError(where + "block bytes outside guest RAM"); // checked above
        blocks.push_back({ f.number, std::vector<uint8_t>(bytes->begin(), bytes->end()) });
    }
    return blocks;
}

} // namespace aramid::monitor
