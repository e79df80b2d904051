// The monitor's decoder on handmade debug tables: a good one decodes fully;
// every broken one -- pointers out of RAM, absurd counts, wrong magic or
// version, torn records, garbage symbols, frame-pointer loops -- gives an
// error or a marked partial result, never a crash or a hang.
#include "table_builder.h"

#include <monitor/debug_table_reader.h>

#include <gtest/gtest.h>

#include <atomic>
#include <random>
#include <thread>

using namespace aramid::monitor;
using namespace monitor_test;

namespace {

constexpr uint64_t kText = 0xffffffff80100000ull;

std::string decode_error(vmm::GuestMemory const& memory, uint64_t gpa) {
    try {
        DebugTableReader reader(memory, gpa);
    } catch (DecodeError const& e) {
        return e.what();
    }
    return "";
}

class MonitorDecode : public ::testing::Test {
protected:
    vmm::GuestMemory memory { kRam };
    TableBuilder builder { memory };
};

} // namespace

TEST_F(MonitorDecode, GoodTable) {
    builder.add_thread(0, 1, "init", dt::ThreadState::Blocked, 3000);
    builder.add_thread(3, 7, "deep", dt::ThreadState::Runnable, 13 * 1024);
    DebugTableReader const reader(memory, kTable);
    EXPECT_EQ(reader.kernel_version(), "aramid 9.9.9");
    EXPECT_EQ(reader.platform(), "pvm");
    EXPECT_EQ(reader.time_ns(kBootTsc + 5000), 5000u);

    MemoryInfo const stats = reader.memory_stats();
    EXPECT_FALSE(stats.torn);
    EXPECT_EQ(stats.total_pages, 1024u);
    EXPECT_EQ(stats.free_pages, 700u);
    EXPECT_EQ(stats.heap_bytes, 12345u);

    auto const threads = reader.threads();
    ASSERT_EQ(threads.size(), 2u);
    EXPECT_EQ(threads[0].slot, 0u);
    EXPECT_EQ(threads[0].name, "init");
    EXPECT_EQ(threads[1].slot, 3u);
    EXPECT_EQ(threads[1].tid, 7u);
    EXPECT_EQ(threads[1].state, uint32_t(dt::ThreadState::Runnable));
    EXPECT_EQ(threads[1].switches, 7u);
    EXPECT_TRUE(threads[1].problem.empty());

    StackInfo const stack = reader.stack(threads[1], nullptr);
    EXPECT_TRUE(stack.pages_valid);
    EXPECT_EQ(stack.watermark, 13u * 1024);
    EXPECT_NEAR(stack.watermark_percent, 81.25, 0.001);
    EXPECT_TRUE(stack.canary_intact);
    EXPECT_TRUE(stack.guard_page);
}

TEST_F(MonitorDecode, WatermarkFollowsTheStackPagesAndSkipsTheCanary) {
    builder.add_thread(0, 1, "t", dt::ThreadState::Blocked, 0);
    // The deepest unpainted byte in page 1 (the second lowest 4 KiB).
    builder.stack_byte(0, 0x1000 + 0x10) = 0;
    DebugTableReader const reader(memory, kTable);
    StackInfo const stack = reader.stack(reader.threads().at(0), nullptr);
    EXPECT_EQ(stack.watermark, kStackSize - 0x1010);
    // Untouched paint apart from the canary word: no use at all.
    builder.stack_byte(0, 0x1000 + 0x10) = kPaint;
    EXPECT_EQ(reader.stack(reader.threads().at(0), nullptr).watermark, 0u);
}

TEST_F(MonitorDecode, BrokenCanary) {
    builder.add_thread(0, 1, "canary", dt::ThreadState::Blocked, 100);
    builder.write_stack_u64(0, TableBuilder::stack_va(0), 0);
    DebugTableReader const reader(memory, kTable);
    EXPECT_FALSE(reader.stack(reader.threads().at(0), nullptr).canary_intact);
    auto const samples = reader.watermarks();
    ASSERT_EQ(samples.size(), 1u);
    EXPECT_FALSE(samples[0].canary_intact);
}

TEST_F(MonitorDecode, SavedContextAndBacktraceAreSymbolized) {
    builder.set_symbols({ { kText, "switch_context" }, { kText + 0x100, "sched::yield()" },
                          { kText + 0x200, "worker_main" }, { kText + 0x300, "thread_start" } });
    builder.add_thread(0, 5, "worker", dt::ThreadState::Blocked, 1024);
    uint64_t const top = TableBuilder::stack_va(0) + kStackSize;
    uint64_t const rsp = top - 512;
    uint64_t const frame1 = top - 256, frame2 = top - 128;
    builder.save_context(0, rsp, frame1, kText + 0x110);
    builder.frame(0, frame1, frame2, kText + 0x220);
    builder.frame(0, frame2, 0, kText + 0x330);
    DebugTableReader const reader(memory, kTable);
    SymbolTable const symbols = reader.symbols();
    EXPECT_TRUE(symbols.problem().empty()) << symbols.problem();
    StackInfo const stack = reader.stack(reader.threads().at(0), &symbols);
    ASSERT_TRUE(stack.has_context) << stack.problem;
    EXPECT_EQ(stack.context_source, "saved");
    EXPECT_EQ(stack.saved_rip.symbol, "sched::yield()");
    EXPECT_EQ(stack.saved_rip.offset, 0x10u);
    ASSERT_EQ(stack.backtrace.size(), 2u);
    EXPECT_EQ(stack.backtrace[0].symbol, "worker_main");
    EXPECT_EQ(stack.backtrace[0].offset, 0x20u);
    EXPECT_EQ(stack.backtrace[1].symbol, "thread_start");
}

TEST_F(MonitorDecode, RunningThreadUsesThePausedVcpu) {
    builder.set_symbols({ { kText, "busy_loop" } });
    builder.add_thread(0, 5, "busy", dt::ThreadState::Running, 1024);
    uint64_t const top = TableBuilder::stack_va(0) + kStackSize;
    builder.frame(0, top - 64, 0, kText + 0x40);
    DebugTableReader const reader(memory, kTable);
    SymbolTable const symbols = reader.symbols();
    ThreadInfo const thread = reader.threads().at(0);
    StackInfo without = reader.stack(thread, &symbols);
    EXPECT_FALSE(without.has_context);
    EXPECT_NE(without.problem.find("running"), std::string::npos);
    StackInfo user = reader.stack(thread, &symbols, VcpuContext { 0x401000, 0x7ffff000, 0 });
    EXPECT_FALSE(user.has_context);
    EXPECT_NE(user.problem.find("not on this stack"), std::string::npos);
    StackInfo kernel = reader.stack(thread, &symbols, VcpuContext { kText + 8, top - 100, top - 64 });
    ASSERT_TRUE(kernel.has_context) << kernel.problem;
    EXPECT_EQ(kernel.context_source, "vcpu");
    EXPECT_EQ(kernel.saved_rip.symbol, "busy_loop");
    ASSERT_EQ(kernel.backtrace.size(), 1u);
}

TEST_F(MonitorDecode, SwitchRing) {
    for (int i = 0; i < 300; i++) builder.add_switch(uint32_t((i + 1) % 3), dt::SwitchReason::Preempt);
    DebugTableReader const reader(memory, kTable);
    auto const all = reader.cpus();
    ASSERT_EQ(all.size(), 1u);
    EXPECT_FALSE(all[0].torn);
    EXPECT_EQ(all[0].switch_count, 300u);
    // The ring holds the last 256; the oldest slot is the one the next switch
    // may be rewriting while the monitor reads, so the last 255 are whole,
    // and a record names the thread it switched from through its
    // predecessor: 254 records, switches 46 to 299.
    ASSERT_EQ(all[0].records.size(), dt::kSwitchRing - 2);
    EXPECT_EQ(all[0].records.front().from_tid, uint32_t(46 % 3));
    EXPECT_EQ(all[0].records.back().from_tid, uint32_t(299 % 3));
    EXPECT_EQ(all[0].records.back().time_ns, 299u * 100);
    auto const last = reader.cpus(5);
    ASSERT_EQ(last[0].records.size(), 5u);
    EXPECT_EQ(last[0].records.back().to_tid, all[0].records.back().to_tid);
    EXPECT_EQ(last[0].records.back().reason, uint32_t(dt::SwitchReason::Preempt));
}

TEST_F(MonitorDecode, StateAndSwitchCountsAreReadFromTheThread) {
    // The record's state is what it was when written; the thread's own
    // field is the live one.
    builder.add_thread(0, 1, "a", dt::ThreadState::Blocked, 100);
    builder.live_state(0) = uint32_t(dt::ThreadState::Running);
    builder.switch_counts(0) = { 40, 2 };
    DebugTableReader const reader(memory, kTable);
    ThreadInfo const a = reader.threads().at(0);
    EXPECT_EQ(a.state, uint32_t(dt::ThreadState::Running));
    EXPECT_EQ(a.switches, 42u);
    EXPECT_TRUE(a.problem.empty()) << a.problem;
}

TEST_F(MonitorDecode, ThreadFieldsOutsideRam) {
    builder.add_thread(0, 1, "a", dt::ThreadState::Blocked, 100).state_address = kRam - 2;
    builder.add_thread(1, 2, "b", dt::ThreadState::Blocked, 100).switches_address = ~0ull - 4;
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    ASSERT_EQ(threads.size(), 2u);
    EXPECT_NE(threads[0].problem.find("state at GPA"), std::string::npos) << threads[0].problem;
    EXPECT_NE(threads[1].problem.find("switch counts at GPA"), std::string::npos) << threads[1].problem;
    EXPECT_EQ(threads[1].switches, 0u);
}

// Switch 0 comes from the CPU's first thread, which the Start record in the
// last slot names until switch 255 reuses that slot.
TEST_F(MonitorDecode, FirstSwitchComesFromTheStartThread) {
    builder.start(4);
    DebugTableReader const reader(memory, kTable);
    EXPECT_EQ(reader.cpus().at(0).current_tid, 4u);
    EXPECT_TRUE(reader.cpus().at(0).records.empty());
    builder.add_switch(6, dt::SwitchReason::Block);
    CpuInfo cpu = reader.cpus().at(0);
    ASSERT_EQ(cpu.records.size(), 1u);
    EXPECT_EQ(cpu.records[0].from_tid, 4u);
    EXPECT_EQ(cpu.records[0].to_tid, 6u);
    EXPECT_EQ(cpu.records[0].reason, uint32_t(dt::SwitchReason::Block));
    EXPECT_EQ(cpu.current_tid, 6u);
    for (uint32_t i = 1; i < dt::kSwitchRing - 1; i++) builder.add_switch(7 + i % 2, dt::SwitchReason::Yield);
    // Switch 255 may be overwriting the Start record: switch 0 goes.
    cpu = reader.cpus().at(0);
    ASSERT_EQ(cpu.records.size(), dt::kSwitchRing - 2);
    EXPECT_EQ(cpu.records.front().from_tid, 6u);
}

TEST_F(MonitorDecode, CpuCountersOutsideRam) {
    builder.add_switch(2, dt::SwitchReason::Yield);
    builder.cpu().counters_address = kRam - 8;
    DebugTableReader const reader(memory, kTable);
    auto const cpus = reader.cpus();
    ASSERT_EQ(cpus.size(), 1u);
    EXPECT_NE(cpus[0].problem.find("outside guest RAM"), std::string::npos) << cpus[0].problem;
    EXPECT_TRUE(cpus[0].records.empty());
}

TEST_F(MonitorDecode, CurrentThreadIsTheNewestSwitchesTarget) {
    DebugTableReader const reader(memory, kTable);
    builder.start(1);
    EXPECT_EQ(reader.cpus().at(0).current_tid, 1u); // no switch yet
    builder.add_switch(2, dt::SwitchReason::Yield);
    builder.add_switch(9, dt::SwitchReason::Block);
    builder.cpu_counters().interrupts = 77;
    CpuInfo const cpu = reader.cpus().at(0);
    EXPECT_EQ(cpu.current_tid, 9u);
    EXPECT_EQ(cpu.context_switches, 2u);
    EXPECT_EQ(cpu.interrupts, 77u);
}

// The kernel writes the ring while the monitor reads it, without a lock: a
// switch fills its slot, then counts. Whatever the reader returns must be
// records with whole predecessors (the from_tid), consecutive, ending at
// the count it reports. Switch n goes to slot n % 8, whose thread is 100 + n % 8.
TEST_F(MonitorDecode, RingReadWhileTheGuestWritesIt) {
    for (uint32_t slot = 0; slot < kThreadCapacity; slot++) ASSERT_EQ(builder.slot_of(100 + slot), slot);
    builder.start(107);
    std::atomic<bool> stop { false };
    std::thread writer([&] {
        auto* count = &builder.cpu_counters().context_switches;
        for (uint64_t n = 0; !stop.load(std::memory_order_relaxed); n++) {
            dt::SwitchRecord const r = dt::switch_record(kBootTsc + n, uint32_t(n % 8), dt::SwitchReason::Yield);
            __atomic_store_n(&builder.cpu().switches[n % dt::kSwitchRing].word, r.word, __ATOMIC_RELAXED);
            __atomic_store_n(count, n + 1, __ATOMIC_RELEASE);
        }
    });
    DebugTableReader const reader(memory, kTable);
    unsigned complete = 0, torn = 0;
    for (int i = 0; i < 20000; i++) {
        CpuInfo const cpu = reader.cpus().at(0);
        if (cpu.torn) {
            torn++;
            continue;
        }
        ASSERT_TRUE(cpu.problem.empty()) << cpu.problem;
        for (size_t r = 0; r < cpu.records.size(); r++) {
            SwitchInfo const& s = cpu.records[r];
            uint64_t const n = s.tsc - kBootTsc;
            ASSERT_EQ(s.to_tid, uint32_t(100 + n % 8)) << "a record from another lap";
            ASSERT_EQ(s.from_tid, uint32_t(100 + (n + 7) % 8)) << "an overwritten predecessor";
            if (r) {
                ASSERT_EQ(s.tsc, cpu.records[r - 1].tsc + 1) << "records out of order";
            }
        }
        if (!cpu.records.empty()) {
            ASSERT_EQ(cpu.records.back().tsc - kBootTsc, cpu.switch_count - 1);
            ASSERT_EQ(cpu.current_tid, uint32_t(100 + (cpu.switch_count - 1) % 8));
            complete++;
        }
    }
    stop = true;
    writer.join();
    EXPECT_GT(complete, 0u) << torn << " torn reads";
}

// A switch record names the thread by its slot: the slot's tid, as long as
// the record was filled before the switch. A freed slot still names its
// thread; a slot filled again since names a thread that has gone (0).
TEST_F(MonitorDecode, SwitchRecordsNameThreadsBySlot) {
    builder.add_thread(0, 11, "alive", dt::ThreadState::Runnable, 100);
    builder.add_thread(1, 12, "exited", dt::ThreadState::Free, 100);
    builder.add_thread(2, 13, "newer", dt::ThreadState::Runnable, 100).created_tsc = kBootTsc + 150;
    builder.start(11);
    builder.add_switch(12, dt::SwitchReason::Yield);  // switch 0, at kBootTsc
    builder.add_switch(13, dt::SwitchReason::Exit);   // switch 1, at kBootTsc + 100: before slot 2 was filled
    builder.add_switch(11, dt::SwitchReason::Block);  // switch 2
    builder.add_switch(13, dt::SwitchReason::Yield);  // switch 3, at kBootTsc + 300: slot 2's thread
    uint64_t& n = builder.cpu_counters().context_switches;
    builder.cpu().switches[n % dt::kSwitchRing] = dt::switch_record(kBootTsc + n * 100, dt::kNoThreadSlot,
                                                                     dt::SwitchReason::Preempt);
    n++;
    builder.cpu().switches[n % dt::kSwitchRing] = dt::switch_record(kBootTsc + n * 100, kThreadCapacity,
                                                                     dt::SwitchReason::Preempt);
    n++;
    DebugTableReader const reader(memory, kTable);
    CpuInfo const cpu = reader.cpus().at(0);
    ASSERT_EQ(cpu.records.size(), 6u);
    std::vector<uint32_t> to;
    for (SwitchInfo const& s : cpu.records) to.push_back(s.to_tid);
    EXPECT_EQ(to, (std::vector<uint32_t> { 12, 0, 11, 13, 0, 0 }));
    EXPECT_EQ(cpu.records[0].from_tid, 11u);
    EXPECT_EQ(cpu.records[2].from_tid, 0u);
    EXPECT_EQ(cpu.records[4].from_tid, 13u);
    EXPECT_EQ(cpu.records[1].reason, uint32_t(dt::SwitchReason::Exit));
}

// A record keeps 51 bits of TSC; the caller's uptime says which 2^51 ticks
// they lie in (the builder's TSC runs at 1 GHz: a tick is a ns).
TEST_F(MonitorDecode, SwitchTimesUnwrapAgainstTheUptime) {
    builder.start(1);
    uint64_t const late = uint64_t(3) << dt::kSwitchTscBits; // 3 * 2^51 ticks after boot: 78 days at 1 GHz
    auto& records = builder.cpu().switches;
    records[0] = dt::switch_record(kBootTsc + late - 500, builder.slot_of(2), dt::SwitchReason::Yield);
    records[1] = dt::switch_record(kBootTsc + late + 700, builder.slot_of(1), dt::SwitchReason::Yield);
    builder.cpu_counters().context_switches = 2;
    DebugTableReader const reader(memory, kTable);
    CpuInfo const cpu = reader.cpus(0, late + 1000).at(0);
    ASSERT_EQ(cpu.records.size(), 2u);
    EXPECT_EQ(cpu.records[0].tsc, kBootTsc + late - 500);
    EXPECT_EQ(cpu.records[0].time_ns, late - 500);
    EXPECT_EQ(cpu.records[1].time_ns, late + 700);
    EXPECT_EQ(cpu.records[0].to_tid, 2u); // the tag, under the TSC's top bits
    EXPECT_EQ(cpu.records[1].from_tid, 2u);
    EXPECT_EQ(cpu.records[1].to_tid, 1u);
    EXPECT_EQ(cpu.records[1].reason, uint32_t(dt::SwitchReason::Yield));
    // Without the uptime: the first 2^51 ticks.
    EXPECT_EQ(reader.cpus().at(0).records[1].time_ns, 700u);
}

TEST_F(MonitorDecode, EventsInOrderFromAnyPoint) {
    for (uint64_t s = 1; s <= 5; s++) builder.add_event(s, dt::EventKind::ThreadCreated, uint32_t(s), 0, "t");
    DebugTableReader const reader(memory, kTable);
    EventBatch const all = reader.events(1, 100);
    ASSERT_EQ(all.events.size(), 5u);
    EXPECT_EQ(all.next, 6u);
    EXPECT_EQ(all.lost, 0u);
    EXPECT_EQ(all.events[2].sequence, 3u);
    EXPECT_EQ(all.events[2].time_ns, 3000u);
    EXPECT_EQ(all.events[2].text, "t");
    EventBatch const tail = reader.events(4, 1);
    ASSERT_EQ(tail.events.size(), 1u);
    EXPECT_EQ(tail.next, 5u);
    EXPECT_TRUE(reader.events(6, 100).events.empty());
}

TEST_F(MonitorDecode, EventsOverwrittenByTheRingAreCountedLost) {
    for (uint64_t s = 1; s <= 20; s++) builder.add_event(s, dt::EventKind::UnknownSyscall, 1, s, "x");
    DebugTableReader const reader(memory, kTable);
    EventBatch const batch = reader.events(1, 100);
    EXPECT_EQ(batch.lost, 12u);
    ASSERT_EQ(batch.events.size(), kEventCapacity);
    EXPECT_EQ(batch.events.front().sequence, 13u);
    EXPECT_EQ(batch.next, 21u);
}

TEST_F(MonitorDecode, EventBeingWrittenStallsOrIsReportedTorn) {
    builder.add_event(1, dt::EventKind::Panic, 1, 0, "first");
    builder.add_event(2, dt::EventKind::Panic, 1, 0, "second");
    builder.event_slot(1).sequence = 0; // the guest is writing event 2
    DebugTableReader const reader(memory, kTable);
    EventBatch const stalled = reader.events(1, 100);
    ASSERT_EQ(stalled.events.size(), 1u);
    EXPECT_TRUE(stalled.stalled);
    EXPECT_EQ(stalled.next, 2u);
    EventBatch const skipped = reader.events(2, 100, true);
    ASSERT_EQ(skipped.events.size(), 1u);
    EXPECT_TRUE(skipped.events[0].torn);
    EXPECT_EQ(skipped.next, 3u);
}

TEST_F(MonitorDecode, AbsurdEventCountIsBounded) {
    builder.table().event_count = UINT64_MAX;
    DebugTableReader const reader(memory, kTable);
    EventBatch const batch = reader.events(1, 50, true);
    EXPECT_LE(batch.events.size(), 50u);
    EXPECT_GT(batch.lost, 0u);
}

// ---- the table as a whole

TEST_F(MonitorDecode, MissingTable) {
    EXPECT_NE(decode_error(memory, 0).find("has not registered a debug table"), std::string::npos);
}

TEST_F(MonitorDecode, TablePointerOutsideRam) {
    EXPECT_NE(decode_error(memory, kRam + 0x1000).find("outside guest RAM"), std::string::npos);
    EXPECT_NE(decode_error(memory, kRam - 16).find("outside guest RAM"), std::string::npos); // straddles the end
    EXPECT_NE(decode_error(memory, ~0ull - 8).find("outside guest RAM"), std::string::npos); // would wrap
}

TEST_F(MonitorDecode, WrongMagicVersionOrSize) {
    builder.table().magic = 0x12345678;
    EXPECT_NE(decode_error(memory, kTable).find("magic"), std::string::npos);
    builder.table().magic = dt::kMagic;
    builder.table().version = dt::kVersion - 1;
    EXPECT_NE(decode_error(memory, kTable).find("version " + std::to_string(dt::kVersion - 1)), std::string::npos);
    builder.table().version = dt::kVersion;
    builder.table().size = 12;
    EXPECT_NE(decode_error(memory, kTable).find("size 12"), std::string::npos);
    // Garbage RAM where a table should be.
    EXPECT_NE(decode_error(memory, kThreads + 64).find("magic"), std::string::npos);
}

TEST_F(MonitorDecode, AbsurdCapacitiesAndCounts) {
    builder.table().thread_capacity = 1u << 30;
    EXPECT_NE(decode_error(memory, kTable).find("thread capacity"), std::string::npos);
    builder.table().thread_capacity = kThreadCapacity;
    builder.table().cpu_count = 0;
    EXPECT_NE(decode_error(memory, kTable).find("CPU count"), std::string::npos);
    builder.table().cpu_count = 100000;
    EXPECT_NE(decode_error(memory, kTable).find("CPU count"), std::string::npos);
    builder.table().cpu_count = 1;
    builder.table().event_capacity = 0;
    EXPECT_NE(decode_error(memory, kTable).find("event capacity"), std::string::npos);
    builder.table().event_capacity = 0xffffffff;
    EXPECT_NE(decode_error(memory, kTable).find("event capacity"), std::string::npos);
    builder.table().event_capacity = kEventCapacity;
    builder.table().thread_record_size = 1;
    EXPECT_NE(decode_error(memory, kTable).find("thread record size"), std::string::npos);
    builder.table().thread_record_size = sizeof(dt::ThreadRecord);
    builder.table().switch_ring_capacity = 1u << 31;
    EXPECT_NE(decode_error(memory, kTable).find("switch records"), std::string::npos);
    builder.table().switch_ring_capacity = dt::kSwitchRing;
    EXPECT_EQ(decode_error(memory, kTable), "");
}

TEST_F(MonitorDecode, ArraysOutsideRam) {
    builder.table().threads = kRam - 100;
    EXPECT_NE(decode_error(memory, kTable).find("thread records"), std::string::npos);
    builder.table().threads = ~0ull - 0x10; // the end would wrap around
    EXPECT_NE(decode_error(memory, kTable).find("thread records"), std::string::npos);
    builder.table().threads = kThreads;
    builder.table().cpus = kRam;
    EXPECT_NE(decode_error(memory, kTable).find("CPU records"), std::string::npos);
    builder.table().cpus = kCpus;
    builder.table().events = 1ull << 60;
    EXPECT_NE(decode_error(memory, kTable).find("event records"), std::string::npos);
}

TEST_F(MonitorDecode, MemoryStatsOutsideRamIsAProblemNotAnError) {
    builder.table().memory = kRam + 8;
    DebugTableReader const reader(memory, kTable);
    MemoryInfo const stats = reader.memory_stats();
    EXPECT_NE(stats.problem.find("outside guest RAM"), std::string::npos);
}

// ---- records

TEST_F(MonitorDecode, StackPagesOutsideRam) {
    builder.add_thread(0, 1, "ok", dt::ThreadState::Blocked, 100);
    builder.add_thread(1, 2, "bad", dt::ThreadState::Blocked, 100);
    builder.thread(1).stack_pages[2] = kRam + 0x3000;
    builder.add_thread(2, 3, "edge", dt::ThreadState::Blocked, 100);
    builder.thread(2).stack_pages[3] = kRam - 0x800; // half of it past the end
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    ASSERT_EQ(threads.size(), 3u);
    StackInfo const good = reader.stack(threads[0], nullptr);
    EXPECT_TRUE(good.pages_valid);
    StackInfo const bad = reader.stack(threads[1], nullptr);
    EXPECT_FALSE(bad.pages_valid);
    EXPECT_NE(bad.problem.find("stack page 2"), std::string::npos) << bad.problem;
    EXPECT_NE(bad.problem.find("outside guest RAM"), std::string::npos);
    EXPECT_FALSE(reader.stack(threads[2], nullptr).pages_valid);
    // The watcher's scan skips them too.
    EXPECT_EQ(reader.watermarks().size(), 1u);
}

TEST_F(MonitorDecode, AbsurdStackSize) {
    builder.add_thread(0, 1, "huge", dt::ThreadState::Blocked, 100).stack_size = 1ull << 40;
    builder.add_thread(1, 2, "empty", dt::ThreadState::Blocked, 100).stack_size = 0;
    builder.add_thread(2, 3, "wraps", dt::ThreadState::Blocked, 100).stack_base_va = ~0ull - 100;
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    ASSERT_EQ(threads.size(), 3u);
    EXPECT_NE(reader.stack(threads[0], nullptr).problem.find("stack size"), std::string::npos);
    EXPECT_NE(reader.stack(threads[1], nullptr).problem.find("stack size"), std::string::npos);
    EXPECT_NE(reader.stack(threads[2], nullptr).problem.find("wraps"), std::string::npos);
}

TEST_F(MonitorDecode, TornThreadRecord) {
    builder.add_thread(0, 1, "a", dt::ThreadState::Blocked, 100);
    builder.add_thread(1, 2, "b", dt::ThreadState::Blocked, 100).sequence = 7; // odd: being written
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    ASSERT_EQ(threads.size(), 2u);
    EXPECT_FALSE(threads[0].torn);
    EXPECT_TRUE(threads[1].torn);
    EXPECT_EQ(threads[1].slot, 1u);
    EXPECT_FALSE(reader.stack(threads[1], nullptr).pages_valid);
    EXPECT_EQ(reader.watermarks().size(), 1u);
}

TEST_F(MonitorDecode, TornCpuAndMemoryRecords) {
    builder.cpu().sequence = 3;
    reinterpret_cast<dt::MemoryStats*>(memory.host_base() + kMemoryStats)->sequence = 5;
    DebugTableReader const reader(memory, kTable);
    auto const cpus = reader.cpus();
    ASSERT_EQ(cpus.size(), 1u);
    EXPECT_TRUE(cpus[0].torn);
    EXPECT_TRUE(cpus[0].records.empty());
    EXPECT_TRUE(reader.memory_stats().torn);
}

TEST_F(MonitorDecode, GarbageThreadFields) {
    dt::ThreadRecord& r = builder.add_thread(0, 1, "x", dt::ThreadState::Blocked, 100);
    builder.live_state(0) = 77; // the thread's own state field
    std::memset(r.name, '\x01', sizeof(r.name)); // no NUL, unprintable
    builder.add_thread(1, 2, "y", dt::ThreadState::Blocked, 100).cpu = 9;
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    ASSERT_EQ(threads.size(), 2u);
    EXPECT_NE(threads[0].problem.find("unknown thread state 77"), std::string::npos);
    EXPECT_EQ(threads[0].name, std::string(dt::kNameLength, '?'));
    EXPECT_NE(threads[1].problem.find("CPU 9"), std::string::npos);
}

TEST_F(MonitorDecode, SavedStackPointerOutsideRamOrStack) {
    builder.add_thread(0, 1, "a", dt::ThreadState::Blocked, 100).saved_rsp_address = kRam + 64;
    builder.add_thread(1, 2, "b", dt::ThreadState::Blocked, 100);
    memory.write<uint64_t>(kSavedRsp + 1 * 8, 0xdead0000);
    builder.add_thread(2, 3, "c", dt::ThreadState::Blocked, 100);
    memory.write<uint64_t>(kSavedRsp + 2 * 8, TableBuilder::stack_va(2) + kStackSize - 16); // no room for the frame
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    StackInfo const a = reader.stack(threads[0], nullptr);
    EXPECT_FALSE(a.has_context);
    EXPECT_NE(a.problem.find("outside guest RAM"), std::string::npos) << a.problem;
    EXPECT_TRUE(a.pages_valid); // the rest is still measured
    EXPECT_NE(reader.stack(threads[1], nullptr).problem.find("not inside the stack"), std::string::npos);
    EXPECT_NE(reader.stack(threads[2], nullptr).problem.find("not inside the stack"), std::string::npos);
}

TEST_F(MonitorDecode, FramePointerLoopsCannotHang) {
    builder.add_thread(0, 1, "loop", dt::ThreadState::Blocked, 1024);
    uint64_t const top = TableBuilder::stack_va(0) + kStackSize;
    builder.save_context(0, top - 512, top - 256, kText);
    builder.frame(0, top - 256, top - 256, kText + 1); // points at itself
    builder.add_thread(1, 2, "cycle", dt::ThreadState::Blocked, 1024);
    uint64_t const top1 = TableBuilder::stack_va(1) + kStackSize;
    builder.save_context(1, top1 - 512, top1 - 256, kText);
    builder.frame(1, top1 - 256, top1 - 128, kText + 1);
    builder.frame(1, top1 - 128, top1 - 256, kText + 2); // back down: a cycle
    builder.add_thread(2, 3, "away", dt::ThreadState::Blocked, 1024);
    uint64_t const top2 = TableBuilder::stack_va(2) + kStackSize;
    builder.save_context(2, top2 - 512, top2 - 256, kText);
    builder.frame(2, top2 - 256, 0xffff800000000000ull, kText + 1); // leaves the stack
    DebugTableReader const reader(memory, kTable);
    auto const threads = reader.threads();
    EXPECT_EQ(reader.stack(threads[0], nullptr).backtrace.size(), 1u);
    EXPECT_EQ(reader.stack(threads[1], nullptr).backtrace.size(), 2u);
    EXPECT_EQ(reader.stack(threads[2], nullptr).backtrace.size(), 1u);
}

TEST_F(MonitorDecode, LongFrameChainIsCut) {
    builder.add_thread(0, 1, "deep", dt::ThreadState::Blocked, 8192);
    uint64_t const base = TableBuilder::stack_va(0);
    builder.save_context(0, base + 1024, base + 1024 + 64, kText);
    for (uint64_t rbp = base + 1024 + 64; rbp + 64 < base + kStackSize; rbp += 64)
        builder.frame(0, rbp, rbp + 64, kText + 4);
    DebugTableReader const reader(memory, kTable);
    EXPECT_EQ(reader.stack(reader.threads().at(0), nullptr).backtrace.size(), kMaxBacktrace);
}

// ---- symbols

TEST(MonitorSymbols, LookupSortsAndBoundsTheSpan) {
    vmm::GuestMemory memory(kRam);
    TableBuilder builder(memory);
    builder.set_symbols({ { kText + 0x200, "c" }, { kText, "a" }, { kText + 0x100, "b" } }); // unsorted
    SymbolTable const symbols = SymbolTable::load(memory, kSymbols, builder.table().symbols_size);
    EXPECT_TRUE(symbols.problem().empty());
    EXPECT_EQ(symbols.size(), 3u);
    EXPECT_FALSE(symbols.lookup(kText - 1));
    EXPECT_EQ(symbols.lookup(kText + 0x150)->name, "b");
    EXPECT_EQ(symbols.lookup(kText + 0x150)->offset, 0x50u);
    EXPECT_EQ(symbols.lookup(kText + 0x200)->name, "c");
    EXPECT_FALSE(symbols.lookup(kText + 0x200 + SymbolTable::kMaxSymbolSpan + 1));
}

TEST(MonitorSymbols, GarbageOffsets) {
    vmm::GuestMemory memory(kRam);
    TableBuilder builder(memory);
    builder.set_symbols({ { kText, "a" }, { kText + 0x100, "b" }, { kText + 0x200, "c" } });
    uint64_t const size = builder.table().symbols_size;
    auto* header = reinterpret_cast<SymbolTable::Header*>(memory.host_base() + kSymbols);
    auto* entries = reinterpret_cast<SymbolTable::Entry*>(memory.host_base() + kSymbols + 16);

    entries[1].name_offset = 0xfffffff0; // far outside the names
    SymbolTable partial = SymbolTable::load(memory, kSymbols, size);
    EXPECT_TRUE(partial.problem().empty());
    EXPECT_EQ(partial.bad_names(), 1u);
    EXPECT_FALSE(partial.lookup(kText + 0x110)); // that entry has no name
    EXPECT_EQ(partial.lookup(kText + 0x210)->name, "c");

    // A name that runs to the end of the section without a NUL.
    entries[1].name_offset = 4;
    memory.host_base()[kSymbols + size - 1] = 'x';
    entries[2].name_offset = uint32_t(size - header->names_offset - 1);
    SymbolTable unterminated = SymbolTable::load(memory, kSymbols, size);
    EXPECT_FALSE(unterminated.lookup(kText + 0x210));

    header->names_offset = size + 100;
    EXPECT_NE(SymbolTable::load(memory, kSymbols, size).problem().find("names offset"), std::string::npos);
    header->names_offset = 8; // inside the entries
    EXPECT_NE(SymbolTable::load(memory, kSymbols, size).problem().find("names offset"), std::string::npos);
    header->count = 0x7fffffff;
    EXPECT_NE(SymbolTable::load(memory, kSymbols, size).problem().find("entries"), std::string::npos);
    header->magic = 0;
    EXPECT_NE(SymbolTable::load(memory, kSymbols, size).problem().find("magic"), std::string::npos);
    EXPECT_NE(SymbolTable::load(memory, kRam - 8, size).problem().find("outside guest RAM"), std::string::npos);
    EXPECT_NE(SymbolTable::load(memory, kSymbols, 1ull << 40).problem().find("size"), std::string::npos);
    EXPECT_NE(SymbolTable::load(memory, kSymbols, 3).problem().find("size"), std::string::npos);
    EXPECT_FALSE(SymbolTable::load(memory, kSymbols, 1ull << 40).lookup(kText));
}

// ---- whatever the guest leaves in RAM, nothing crashes or hangs

TEST(MonitorDecodeFuzz, RandomTablesNeverCrash) {
    vmm::GuestMemory memory(1ull << 20);
    std::mt19937_64 random(12345);
    for (int round = 0; round < 300; round++) {
        // Random bytes with a plausible header, then random fields made
        // small enough to pass the table checks now and then.
        auto* words = reinterpret_cast<uint64_t*>(memory.host_base());
        for (uint64_t i = 0; i < memory.size() / 8; i++) words[i] = random();
        auto& t = *reinterpret_cast<dt::Table*>(memory.host_base() + kTable);
        t.magic = dt::kMagic;
        t.version = dt::kVersion;
        t.size = sizeof(dt::Table);
        t.cpu_count = 1 + uint32_t(random() % 2);
        t.thread_capacity = uint32_t(random() % 16);
        t.thread_record_size = sizeof(dt::ThreadRecord);
        t.threads = random() % (memory.size() / 2);
        t.cpu_record_size = sizeof(dt::CpuRecord);
        t.switch_ring_capacity = dt::kSwitchRing;
        t.cpus = random() % (memory.size() / 2);
        t.event_capacity = 1 + uint32_t(random() % 16);
        t.event_record_size = sizeof(dt::EventRecord);
        t.events = random() % (memory.size() / 2);
        t.symbols = random() % memory.size();
        t.symbols_size = random() % 65536;
        if (round % 3 == 0) t.memory = random() % memory.size();
        // Seqlocks even now and then, so that records get decoded.
        for (uint32_t s = 0; s < t.thread_capacity && t.threads + (s + 1) * sizeof(dt::ThreadRecord) < memory.size();
             s++) {
            auto& r
                = *reinterpret_cast<dt::ThreadRecord*>(memory.host_base() + t.threads + s * sizeof(dt::ThreadRecord));
            if (round % 2) r.sequence &= ~1ull;
            if (round % 4 == 1) {
                r.stack_size = 16384;
                for (auto& page : r.stack_pages) page = random() % memory.size();
                r.saved_rsp_address = random() % memory.size();
            }
        }
        try {
            DebugTableReader const reader(memory, kTable);
            SymbolTable const symbols = reader.symbols();
            for (ThreadInfo const& thread : reader.threads())
                (void)reader.stack(thread, &symbols, VcpuContext { random(), random(), random() });
            (void)reader.watermarks();
            (void)reader.cpus();
            (void)reader.events(random() % 64, 64, true);
            (void)reader.memory_stats();
        } catch (DecodeError const&) {
        }
    }
}
