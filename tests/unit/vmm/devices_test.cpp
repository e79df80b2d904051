// The port-I/O devices, driven as the guest drives them. Everything the guest
// writes is untrusted: a bad fast-console buffer is dropped and counted.
#include <vmm/devices/io_bus.h>
#include <vmm/devices/output.h>
#include <vmm/devices/serial.h>
#include <vmm/devices/vm_ports.h>
#include <vmm/kvm/guest_memory.h>

#include <proto/vm_abi.h>

#include <gtest/gtest.h>

#include <cstring>
#include <optional>
#include <string>

using namespace vmm;
using namespace aramid::abi;

namespace {

constexpr uint64_t kTestMemory = 2ull << 20;
constexpr uint16_t kData = kPortCom1 + 0, kIer = kPortCom1 + 1, kIir = kPortCom1 + 2, kLcr = kPortCom1 + 3,
                   kMcr = kPortCom1 + 4, kLsr = kPortCom1 + 5, kMsr = kPortCom1 + 6, kScratch = kPortCom1 + 7;

// Writes a fast-console buffer {len, stream, bytes} at `gpa`.
// `len` overrides the length field, to lie about the size.
void put_buffer(GuestMemory& memory, uint64_t gpa, uint32_t stream, std::string const& text,
                std::optional<uint32_t> len = std::nullopt) {
    FastConBuffer header { len.value_or(uint32_t(text.size())), stream };
    ASSERT_TRUE(memory.write(gpa, header));
    ASSERT_TRUE(memory.write_bytes(gpa + sizeof(header), text.data(), text.size()));
}

struct FastConsoleRig {
    GuestMemory memory { kTestMemory };
    CapturedOutput program;
    CapturedOutput log;
    FastConsole console { memory, program, log };
};

} // namespace

TEST(Serial16550, TransmitsWrittenBytes) {
    CapturedOutput out;
    Serial16550 serial(out);
    for (char c : std::string("hi\n")) serial.out(kData, uint8_t(c), 1);
    serial.out(kData, 0x1234, 1); // only the low byte reaches the line
    EXPECT_EQ(out.text, "hi\n\x34");
}

TEST(Serial16550, DlabLatchesTheDivisor) {
    CapturedOutput out;
    Serial16550 serial(out);
    serial.out(kLcr, 0x80, 1); // DLAB
    serial.out(kData, 0x01, 1);
    serial.out(kIer, 0x02, 1);
    EXPECT_EQ(serial.in(kData, 1), 0x01u);
    EXPECT_EQ(serial.in(kIer, 1), 0x02u);
    EXPECT_EQ(out.text, "") << "divisor bytes went to the line";
    serial.out(kLcr, 0x03, 1); // 8N1, DLAB off
    EXPECT_EQ(serial.in(kLcr, 1), 0x03u);
    EXPECT_EQ(serial.in(kIer, 1), 0x00u) << "IER must be separate from the divisor latch";
    serial.out(kIer, 0xff, 1);
    EXPECT_EQ(serial.in(kIer, 1), 0x0fu);
    serial.out(kLcr, 0x83, 1);
    EXPECT_EQ(serial.in(kData, 1), 0x01u) << "divisor kept across DLAB toggles";
    EXPECT_EQ(serial.in(kIer, 1), 0x02u);
}

TEST(Serial16550, LineStatusAlwaysReadyToTransmit) {
    CapturedOutput out;
    Serial16550 serial(out);
    uint32_t const lsr = serial.in(kLsr, 1);
    EXPECT_EQ(lsr & Serial16550::kLsrTransmitterEmpty, Serial16550::kLsrTransmitterEmpty);
    EXPECT_EQ(lsr & Serial16550::kLsrDataReady, 0u);
    serial.out(kData, 'x', 1);
    EXPECT_EQ(serial.in(kLsr, 1) & 0x60, 0x60u);
}

TEST(Serial16550, InputQueue) {
    CapturedOutput out;
    Serial16550 serial(out);
    serial.push_input("ab", 2);
    EXPECT_EQ(serial.in(kLsr, 1) & Serial16550::kLsrDataReady, Serial16550::kLsrDataReady);
    EXPECT_EQ(serial.in(kData, 1), uint32_t('a'));
    serial.push_input("\xff", 1);
    EXPECT_EQ(serial.in(kData, 1), uint32_t('b'));
    EXPECT_EQ(serial.in(kData, 1), 0xffu) << "bytes above 0x7f must not sign-extend";
    EXPECT_EQ(serial.in(kLsr, 1) & Serial16550::kLsrDataReady, 0u);
    EXPECT_EQ(serial.in(kData, 1), 0u) << "an empty receiver reads 0";
}

TEST(Serial16550, OtherRegisters) {
    CapturedOutput out;
    Serial16550 serial(out);
    serial.out(kScratch, 0x5a, 1);
    EXPECT_EQ(serial.in(kScratch, 1), 0x5au);
    serial.out(kMcr, 0xff, 1);
    EXPECT_EQ(serial.in(kMcr, 1), 0x1fu);
    EXPECT_EQ(serial.in(kIir, 1) & 1, 1u) << "no interrupt pending";
    EXPECT_EQ(serial.in(kMsr, 1) & 0xb0, 0xb0u) << "carrier, data set ready, clear to send";
    serial.out(kLsr, 0, 1); // read-only: ignored
    serial.out(kIir, 0x07, 1); // FCR
    EXPECT_EQ(serial.in(kLsr, 1) & 0x60, 0x60u);
    EXPECT_EQ(out.text, "");
}

TEST(FastConsole, WritesEachStream) {
    FastConsoleRig rig;
    put_buffer(rig.memory, 0x200000 - 0x1000, kStreamProgram, "hello\n");
    put_buffer(rig.memory, 0x180000, kStreamKernelLog, "kernel says\n");
    rig.console.out(kPortFastCon, 0x200000 - 0x1000, 4);
    rig.console.out(kPortFastCon, 0x180000, 4);
    EXPECT_EQ(rig.program.text, "hello\n");
    EXPECT_EQ(rig.log.text, "kernel says\n");
    EXPECT_EQ(rig.console.rejected(), 0u);
}

TEST(FastConsole, EmptyAndMaximalBuffers) {
    FastConsoleRig rig;
    put_buffer(rig.memory, 0x100000, kStreamProgram, "");
    rig.console.out(kPortFastCon, 0x100000, 4);
    std::string const longest(kFastConMaxLen, 'z');
    put_buffer(rig.memory, 0x101000, kStreamProgram, longest);
    rig.console.out(kPortFastCon, 0x101000, 4);
    EXPECT_EQ(rig.program.text, longest);
    EXPECT_EQ(rig.console.rejected(), 0u);
}

TEST(FastConsole, BufferEndingAtTheEndOfRam) {
    FastConsoleRig rig;
    uint64_t const gpa = kTestMemory - sizeof(FastConBuffer) - 3;
    put_buffer(rig.memory, gpa, kStreamProgram, "end");
    rig.console.out(kPortFastCon, uint32_t(gpa), 4);
    EXPECT_EQ(rig.program.text, "end");
    EXPECT_EQ(rig.console.rejected(), 0u);
}

TEST(FastConsole, RejectsGpaOutsideRam) {
    FastConsoleRig rig;
    rig.console.out(kPortFastCon, uint32_t(kTestMemory), 4);
    rig.console.out(kPortFastCon, 0x40000000, 4);
    rig.console.out(kPortFastCon, 0xffffffff, 4);
    EXPECT_EQ(rig.console.rejected(), 3u);
    EXPECT_EQ(rig.program.text + rig.log.text, "");
}

TEST(FastConsole, RejectsHeaderStraddlingTheEndOfRam) {
    FastConsoleRig rig;
    for (uint64_t gpa = kTestMemory - sizeof(FastConBuffer) + 1; gpa < kTestMemory; gpa++)
        rig.console.out(kPortFastCon, uint32_t(gpa), 4);
    EXPECT_EQ(rig.console.rejected(), sizeof(FastConBuffer) - 1);
    EXPECT_EQ(rig.program.text + rig.log.text, "");
}

TEST(FastConsole, RejectsLengthAboveTheMaximum) {
    FastConsoleRig rig;
    put_buffer(rig.memory, 0x100000, kStreamProgram, std::string(kFastConMaxLen + 1, 'a'));
    rig.console.out(kPortFastCon, 0x100000, 4);
    put_buffer(rig.memory, 0x100000, kStreamProgram, "abc", 0xffffffff);
    rig.console.out(kPortFastCon, 0x100000, 4);
    EXPECT_EQ(rig.console.rejected(), 2u);
    EXPECT_EQ(rig.program.text, "");
}

TEST(FastConsole, RejectsLengthRunningPastRam) {
    FastConsoleRig rig;
    uint64_t const gpa = kTestMemory - 0x100;
    put_buffer(rig.memory, gpa, kStreamProgram, "abc", 0x100 - sizeof(FastConBuffer) + 1);
    rig.console.out(kPortFastCon, uint32_t(gpa), 4);
    EXPECT_EQ(rig.console.rejected(), 1u);
    EXPECT_EQ(rig.program.text, "");
}

TEST(FastConsole, RejectsUnknownStream) {
    FastConsoleRig rig;
    for (uint32_t stream : { 0u, 3u, 0x80000001u }) {
        put_buffer(rig.memory, 0x100000, stream, "lost");
        rig.console.out(kPortFastCon, 0x100000, 4);
    }
    EXPECT_EQ(rig.console.rejected(), 3u);
    EXPECT_EQ(rig.program.text + rig.log.text, "");
}

TEST(FastConsole, RejectsNarrowWrites) {
    FastConsoleRig rig;
    put_buffer(rig.memory, 0x80, kStreamProgram, "x");
    rig.console.out(kPortFastCon, 0x80, 1);
    rig.console.out(kPortFastCon, 0x80, 2);
    EXPECT_EQ(rig.console.rejected(), 2u);
    EXPECT_EQ(rig.program.text, "");
    rig.console.out(kPortFastCon, 0x80, 4);
    EXPECT_EQ(rig.program.text, "x");
    EXPECT_EQ(rig.console.in(kPortFastCon, 4), 0xffffffffu);
}

TEST(DebugConsole, OneBytePerWrite) {
    CapturedOutput log;
    DebugConsole console(log);
    console.out(kPortDebugCon, 'o', 1);
    console.out(kPortDebugCon, 0x4b6b, 1);
    EXPECT_EQ(log.text, "ok");
    EXPECT_EQ(console.in(kPortDebugCon, 1), 0xe9u);
}

TEST(ExitPort, RecordsTheExitWord) {
    ExitPort port;
    EXPECT_FALSE(port.word());
    port.out(kPortExit, 0x12345, 2); // neither 1 nor 4 bytes: ignored
    EXPECT_FALSE(port.word());
    port.out(kPortExit, exit_word(kExitReasonPanic, kExitPanic), 4);
    ASSERT_TRUE(port.word());
    EXPECT_EQ(exit_word_reason(*port.word()), kExitReasonPanic);
    EXPECT_EQ(exit_word_status(*port.word()), kExitPanic);
    port.out(kPortExit, 7, 1);
    EXPECT_EQ(*port.word(), 7u);
    EXPECT_EQ(exit_word_reason(*port.word()), kExitReasonProgram);
}

TEST(PhaseClock, MarksPhasesFromThePort) {
    auto const start = PhaseClock::Clock::now();
    PhaseClock clock(start);
    EXPECT_EQ(clock.microseconds(Phase::VmmStart), 0.0);
    EXPECT_FALSE(clock.microseconds(Phase::FirstInstruction));
    clock.out(kPortPhase, uint32_t(Phase::FirstInstruction), 4);
    auto first = clock.microseconds(Phase::FirstInstruction);
    ASSERT_TRUE(first);
    EXPECT_GE(*first, 0.0);
}

TEST(PhaseClock, IgnoresBadPhaseIdsAndNarrowWrites) {
    PhaseClock clock(PhaseClock::Clock::now());
    clock.out(kPortPhase, uint32_t(Phase::Count), 4);
    clock.out(kPortPhase, 0xffffffff, 4);
    clock.out(kPortPhase, uint32_t(Phase::PlatformUp), 1);
    clock.out(kPortPhase, uint32_t(Phase::PlatformUp), 2);
    for (uint32_t p = 1; p < uint32_t(Phase::Count); p++) EXPECT_FALSE(clock.microseconds(Phase(p))) << p;
}

TEST(PhaseClock, FirstMarkWins) {
    auto const start = PhaseClock::Clock::now();
    PhaseClock clock(start);
    clock.mark(Phase::KernelInitDone, start + std::chrono::microseconds(5));
    clock.mark(Phase::KernelInitDone, start + std::chrono::microseconds(900));
    clock.out(kPortPhase, uint32_t(Phase::KernelInitDone), 4);
    EXPECT_DOUBLE_EQ(*clock.microseconds(Phase::KernelInitDone), 5.0);
    clock.mark(Phase::VmmStart, start + std::chrono::seconds(1));
    EXPECT_DOUBLE_EQ(*clock.microseconds(Phase::VmmStart), 0.0);
}

TEST(DebugTablePort, RecordsTheGpa) {
    DebugTablePort port;
    EXPECT_EQ(port.gpa(), 0u);
    port.out(kPortDebugTable, 0x123000, 2);
    EXPECT_EQ(port.gpa(), 0u);
    port.out(kPortDebugTable, 0x123000, 4);
    EXPECT_EQ(port.gpa(), 0x123000u);
}

namespace {

// Records what reaches it, to check the bus's routing.
class RecordingDevice final : public IoDevice {
public:
    void out(uint16_t port, uint32_t value, unsigned size) override {
        last_port = port;
        last_value = value;
        last_size = size;
        writes++;
    }
    uint32_t in(uint16_t port, unsigned) override { return 0x1000u + port; }
    uint16_t last_port { 0 };
    uint32_t last_value { 0 };
    unsigned last_size { 0 };
    unsigned writes { 0 };
};

} // namespace

TEST(IoBus, RoutesByRange) {
    IoBus bus;
    RecordingDevice a, b;
    bus.attach(0x3f8, 8, a);
    bus.attach(0x5e0, 4, b);
    bus.out(0x3fd, 0x42, 1);
    EXPECT_EQ(a.writes, 1u);
    EXPECT_EQ(a.last_port, 0x3fdu) << "devices see absolute port numbers";
    EXPECT_EQ(a.last_value, 0x42u);
    bus.out(0x5e3, 0xabcdef01, 4);
    EXPECT_EQ(b.last_value, 0xabcdef01u);
    EXPECT_EQ(b.last_size, 4u);
    EXPECT_EQ(bus.in(0x3f8, 1), 0x13f8u);
    EXPECT_EQ(bus.in(0x3ff, 1), 0x13ffu);
    EXPECT_EQ(bus.in(0x5e0, 4), 0x15e0u);
}

TEST(IoBus, UnclaimedPortsReadAllOnes) {
    IoBus bus;
    RecordingDevice a;
    bus.attach(0x3f8, 8, a);
    EXPECT_EQ(bus.in(0x3f7, 1), 0xffu);
    EXPECT_EQ(bus.in(0x400, 2), 0xffffu);
    EXPECT_EQ(bus.in(0x80, 4), 0xffffffffu);
    EXPECT_EQ(bus.in(0xffff, 1), 0xffu);
    EXPECT_EQ(bus.in(0, 1), 0xffu);
    bus.out(0x3f7, 1, 1);
    bus.out(0x400, 1, 1);
    EXPECT_EQ(a.writes, 0u);
}

TEST(GuestMemory, CheckedAccessorsStayInsideRam) {
    GuestMemory memory(kTestMemory);
    EXPECT_TRUE(memory.contains(0, kTestMemory));
    EXPECT_TRUE(memory.contains(kTestMemory, 0));
    EXPECT_FALSE(memory.contains(kTestMemory, 1));
    EXPECT_FALSE(memory.contains(1, kTestMemory));
    EXPECT_FALSE(memory.contains(~uint64_t(0), 2)); // gpa + length wraps
    EXPECT_FALSE(memory.contains(8, ~uint64_t(0) - 4));
    EXPECT_TRUE(memory.write<uint32_t>(kTestMemory - 4, 0xdeadbeef));
    EXPECT_FALSE(memory.write<uint32_t>(kTestMemory - 3, 1));
    EXPECT_EQ(memory.read<uint32_t>(kTestMemory - 4), 0xdeadbeefu);
    EXPECT_FALSE(memory.read<uint32_t>(kTestMemory - 3));
    EXPECT_FALSE(memory.span(kTestMemory - 1, 2));
    EXPECT_FALSE(memory.write_bytes(kTestMemory, "x", 1));
    EXPECT_EQ(memory.read<uint64_t>(0x1000), 0u) << "fresh guest RAM reads as zero";
}

namespace {

struct FastInputRig {
    GuestMemory memory { kTestMemory };
    CapturedOutput out;
    Serial16550 serial { out };
    FastConsoleInput input { memory, serial };

    // Offers `room` bytes at `gpa`; returns what the VMM put there.
    std::string take(uint64_t gpa, uint32_t room) {
        EXPECT_TRUE(memory.write(gpa, FastConBuffer { room, kStreamProgram }));
        input.out(kPortFastConIn, uint32_t(gpa), 4);
        auto header = memory.read<FastConBuffer>(gpa);
        auto bytes = memory.span(gpa + sizeof(FastConBuffer), header->len);
        return { reinterpret_cast<char const*>(bytes->data()), bytes->size() };
    }
};

} // namespace

TEST(FastConsoleInput, TakesUpToTheRoom) {
    FastInputRig rig;
    rig.serial.push_input("hello world", 11);
    EXPECT_EQ(rig.take(0x1000, 5), "hello");
    EXPECT_EQ(rig.take(0x1000, kFastConMaxLen), " world");
    EXPECT_EQ(rig.take(0x1000, kFastConMaxLen), "") << "nothing queued: len 0";
    EXPECT_EQ(rig.input.rejected(), 0u);
}

TEST(FastConsoleInput, RefusedBuffersLoseNoInput) {
    FastInputRig rig;
    rig.serial.push_input("keep", 4);
    rig.input.out(kPortFastConIn, uint32_t(kTestMemory), 4); // header outside RAM
    ASSERT_TRUE(rig.memory.write(kTestMemory - 100, FastConBuffer { 200, kStreamProgram }));
    rig.input.out(kPortFastConIn, uint32_t(kTestMemory - 100), 4); // room runs past RAM
    ASSERT_TRUE(rig.memory.write(0x1000, FastConBuffer { kFastConMaxLen + 1, kStreamProgram }));
    rig.input.out(kPortFastConIn, 0x1000, 4); // room above the maximum
    rig.input.out(kPortFastConIn, 0x1000, 2); // narrow write
    EXPECT_EQ(rig.input.rejected(), 4u);
    EXPECT_EQ(rig.serial.input_queued(), 4u);
    EXPECT_EQ(rig.take(0x1000, 16), "keep");
}

TEST(FastConsoleInput, HangupAfterTheLastByte) {
    FastInputRig rig;
    rig.serial.push_input("ab", 2);
    rig.serial.end_input();
    EXPECT_TRUE(rig.serial.in(kMsr, 1) & Serial16550::kMsrCarrier) << "bytes still queued";
    EXPECT_EQ(rig.take(0x1000, 1), "a");
    EXPECT_TRUE(rig.serial.in(kMsr, 1) & Serial16550::kMsrCarrier);
    EXPECT_EQ(rig.take(0x1000, 1), "b");
    EXPECT_FALSE(rig.serial.in(kMsr, 1) & Serial16550::kMsrCarrier) << "the last byte taken: hangup";
}
