// TableBuilder: lays out a debug table (proto/debug_table.h) by hand in a
// plain GuestMemory, as the kernel would, so that the monitor's decoder can
// be tested on good tables and on every way of breaking one.
#pragma once

#include <monitor/symbol_table.h>

#include <vmm/kvm/guest_memory.h>

#include <proto/debug_table.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace monitor_test {

namespace dt = aramid::debug;

inline constexpr uint64_t kRam = 4ull << 20;
inline constexpr uint64_t kTable = 0x1000;
inline constexpr uint64_t kThreads = 0x2000;
inline constexpr uint32_t kThreadCapacity = 8;
inline constexpr uint64_t kCpus = 0x10000;
inline constexpr uint64_t kEvents = 0x20000;
inline constexpr uint32_t kEventCapacity = 8;
inline constexpr uint64_t kMemoryStats = 0x30000;
inline constexpr uint64_t kSymbols = 0x40000;
inline constexpr uint64_t kSavedRsp = 0x50000; // one u64 per slot
inline constexpr uint64_t kLiveState = 0x51000; // one u32 per slot
inline constexpr uint64_t kSwitchCounts = 0x52000; // one ThreadSwitches per slot
inline constexpr uint64_t kCpuCounters = 0x53000;
inline constexpr uint64_t kStackPages = 0x100000;
inline constexpr uint64_t kStackVa = 0xffffc90000004000ull; // slot s at + s * 0x5000
inline constexpr uint64_t kStackSize = 16 * 1024;
inline constexpr uint8_t kPaint = 0xa5;
inline constexpr uint64_t kCanary = 0x5afe57ac4ca1a2e5ull;
inline constexpr uint64_t kTscKhz = 1000000; // 1 GHz: one tick per ns
inline constexpr uint64_t kBootTsc = 1000;

class TableBuilder {
public:
    explicit TableBuilder(vmm::GuestMemory& memory) : m(memory) {
        std::memset(m.host_base(), 0, m.size());
        dt::Table t {};
        t.magic = dt::kMagic;
        t.version = dt::kVersion;
        t.size = sizeof(dt::Table);
        t.cpu_count = 1;
        std::strcpy(t.kernel_version, "aramid 9.9.9");
        std::strcpy(t.platform, "pvm");
        t.tsc_khz = kTscKhz;
        t.boot_tsc = kBootTsc;
        t.threads = kThreads;
        t.thread_capacity = kThreadCapacity;
        t.thread_record_size = sizeof(dt::ThreadRecord);
        t.cpus = kCpus;
        t.cpu_record_size = sizeof(dt::CpuRecord);
        t.switch_ring_capacity = dt::kSwitchRing;
        t.events = kEvents;
        t.event_capacity = kEventCapacity;
        t.event_record_size = sizeof(dt::EventRecord);
        t.memory = kMemoryStats;
        table() = t;
        dt::MemoryStats stats {};
        stats.sequence = 2;
        stats.total_pages = 1024;
        stats.free_pages = 700;
        stats.heap_bytes = 12345;
        stats.heap_allocations = 10;
        stats.heap_frees = 4;
        m.write(kMemoryStats, stats);
        dt::CpuRecord* cpu = reinterpret_cast<dt::CpuRecord*>(m.host_base() + kCpus);
        cpu->sequence = 2;
        cpu->counters_address = kCpuCounters;
    }

    dt::Table& table() { return *reinterpret_cast<dt::Table*>(m.host_base() + kTable); }
    dt::ThreadRecord& thread(uint32_t slot) {
        return *reinterpret_cast<dt::ThreadRecord*>(m.host_base() + kThreads + slot * sizeof(dt::ThreadRecord));
    }
    dt::CpuRecord& cpu() { return *reinterpret_cast<dt::CpuRecord*>(m.host_base() + kCpus); }
    dt::CpuCounters& cpu_counters() { return *reinterpret_cast<dt::CpuCounters*>(m.host_base() + kCpuCounters); }
    // The thread's own fields the record points at.
    uint32_t& live_state(uint32_t slot) { return *reinterpret_cast<uint32_t*>(m.host_base() + kLiveState + slot * 4); }
    dt::ThreadSwitches& switch_counts(uint32_t slot) {
        return *reinterpret_cast<dt::ThreadSwitches*>(m.host_base() + kSwitchCounts + slot * 16);
    }
    dt::EventRecord& event_slot(uint32_t slot) {
        return *reinterpret_cast<dt::EventRecord*>(m.host_base() + kEvents + slot * sizeof(dt::EventRecord));
    }
    static uint64_t stack_va(uint32_t slot) { return kStackVa + slot * 0x5000; }
    // The GPA of page p of slot's stack: pages are laid out in reverse, so
    // only a decoder that follows stack_pages gets the bytes right.
    static uint64_t page_gpa(uint32_t slot, uint32_t p) { return kStackPages + (slot * 4 + (3 - p)) * 0x1000; }

    // A thread whose stack is painted, with `used` bytes at the top written
    // (as if the thread had been that deep) and a saved context at `rsp`
    // (0: none) holding r15..rbp, rip.
    dt::ThreadRecord& add_thread(uint32_t slot, uint32_t tid, char const* name, dt::ThreadState state, uint64_t used) {
        dt::ThreadRecord r {};
        r.sequence = 2;
        r.tid = tid;
        r.pid = tid;
        std::memcpy(r.name, name, std::min(std::strlen(name), sizeof(r.name)));
        r.state = state;
        r.stack_base_va = stack_va(slot);
        r.stack_size = kStackSize;
        for (uint32_t p = 0; p < 4; p++) r.stack_pages[p] = page_gpa(slot, p);
        r.paint = kPaint;
        r.guard_page = 1;
        r.canary = kCanary;
        r.saved_rsp_address = kSavedRsp + slot * 8;
        r.state_address = kLiveState + slot * 4;
        r.switches_address = kSwitchCounts + slot * 16;
        thread(slot) = r;
        live_state(slot) = uint32_t(state);
        switch_counts(slot) = { 5, 2 };
        for (uint64_t offset = 0; offset < kStackSize; offset++) stack_byte(slot, offset) = kPaint;
        write_stack_u64(slot, stack_va(slot), kCanary);
        for (uint64_t offset = kStackSize - used; offset < kStackSize; offset++) stack_byte(slot, offset) = 0;
        return thread(slot);
    }
    uint8_t& stack_byte(uint32_t slot, uint64_t offset) {
        return m.host_base()[page_gpa(slot, uint32_t(offset / 0x1000)) + offset % 0x1000];
    }
    void write_stack_u64(uint32_t slot, uint64_t va, uint64_t value) {
        uint64_t const offset = va - stack_va(slot);
        for (unsigned i = 0; i < 8; i++) stack_byte(slot, offset + i) = uint8_t(value >> (8 * i));
    }
    // switch_context's frame at `rsp`: six registers (rbp fifth... as the
    // kernel pushes them: r15 r14 r13 r12 rbx rbp) and the return address.
    void save_context(uint32_t slot, uint64_t rsp, uint64_t rbp, uint64_t rip) {
        m.write<uint64_t>(kSavedRsp + slot * 8, rsp);
        for (unsigned i = 0; i < 5; i++) write_stack_u64(slot, rsp + i * 8, 0x1111 * (i + 1));
        write_stack_u64(slot, rsp + 5 * 8, rbp);
        write_stack_u64(slot, rsp + 6 * 8, rip);
    }
    // A frame at `rbp`: [rbp] = the caller's rbp, [rbp + 8] = return address.
    void frame(uint32_t slot, uint64_t rbp, uint64_t next, uint64_t return_address) {
        write_stack_u64(slot, rbp, next);
        write_stack_u64(slot, rbp + 8, return_address);
    }

    void add_event(uint64_t sequence, dt::EventKind kind, uint32_t tid, uint64_t value, char const* text) {
        dt::EventRecord& e = event_slot(uint32_t((sequence - 1) % kEventCapacity));
        e = {};
        e.sequence = sequence;
        e.kind = kind;
        e.tid = tid;
        e.value = value;
        e.tsc = kBootTsc + sequence * 1000;
        std::strncpy(e.text, text, sizeof(e.text) - 1);
        table().event_count = std::max(table().event_count, sequence);
    }

    // The slot of the thread with `tid`, which switch records name: the
    // thread add_thread put there, or else a record that holds only the tid
    // (a free slot, as an exited thread leaves it), in a slot never filled.
    uint32_t slot_of(uint32_t tid) {
        for (uint32_t slot = 0; slot < kThreadCapacity; slot++)
            if (thread(slot).sequence && thread(slot).tid == tid) return slot;
        for (uint32_t slot = 0; slot < kThreadCapacity; slot++) {
            if (thread(slot).sequence) continue;
            thread(slot).sequence = 2;
            thread(slot).tid = tid;
            return slot;
        }
        throw std::logic_error("table_builder: more tids than thread slots");
    }

    // The Start record, before switch 0: the CPU's first thread.
    void start(uint32_t tid) {
        cpu().switches[dt::kSwitchRing - 1] = dt::switch_record(kBootTsc, slot_of(tid), dt::SwitchReason::Start);
    }

    void add_switch(uint32_t to, dt::SwitchReason reason) {
        uint64_t& n = cpu_counters().context_switches;
        cpu().switches[n % dt::kSwitchRing] = dt::switch_record(kBootTsc + n * 100, slot_of(to), reason);
        n++;
    }

    // A .ksyms section: `symbols` as (address, name), in the given order.
    void set_symbols(std::vector<std::pair<uint64_t, std::string>> const& symbols) {
        std::vector<uint8_t> section(16 + symbols.size() * 16);
        std::string names;
        for (size_t i = 0; i < symbols.size(); i++) {
            aramid::monitor::SymbolTable::Entry e { symbols[i].first, uint32_t(names.size()), 0 };
            std::memcpy(section.data() + 16 + i * 16, &e, 16);
            names += symbols[i].second;
            names += '\0';
        }
        aramid::monitor::SymbolTable::Header h { aramid::monitor::SymbolTable::kMagic, uint32_t(symbols.size()),
                                                 section.size() };
        std::memcpy(section.data(), &h, sizeof(h));
        section.insert(section.end(), names.begin(), names.end());
        m.write_bytes(kSymbols, section.data(), section.size());
        table().symbols = kSymbols;
        table().symbols_size = section.size();
    }

    vmm::GuestMemory& m;
};

} // namespace monitor_test
