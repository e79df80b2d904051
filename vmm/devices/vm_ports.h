// aramid's own paravirtual ports (numbers in proto/vm_abi.h): the debug
// console, the exit port, the fast console, the boot-phase timestamps and
// the debug-table registration. Every value the guest writes is validated:
// a bad fast-console buffer is dropped and counted, never dereferenced.
#pragma once

#include <vmm/devices/io_bus.h>
#include <vmm/devices/output.h>

#include <proto/vm_abi.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <optional>

namespace vmm {

class GuestMemory;
class Serial16550;

// Port 0xe9: one byte per write, the kernel log.
class DebugConsole final : public IoDevice {
public:
    explicit DebugConsole(OutputStream& log) : m_log(log) { }
    void out(uint16_t, uint32_t value, unsigned) override {
        char c = char(value);
        m_log.write(&c, 1);
    }
    uint32_t in(uint16_t, unsigned) override { return 0xe9; } // as QEMU's debugcon: "present"

private:
    OutputStream& m_log;
};

// Port 0xf4: the guest's exit word (abi::exit_word).
class ExitPort final : public IoDevice {
public:
    void out(uint16_t, uint32_t value, unsigned size) override {
        if (size == 4 || size == 1) m_word = value;
    }
    uint32_t in(uint16_t, unsigned) override { return 0xffffffff; }
    std::optional<uint32_t> word() const { return m_word; }

private:
    std::optional<uint32_t> m_word;
};

// Port 0x5e0: a 32-bit write of the GPA of an abi::FastConBuffer.
class FastConsole final : public IoDevice {
public:
    FastConsole(GuestMemory const& memory, OutputStream& program, OutputStream& log)
        : m_memory(memory), m_program(program), m_log(log) { }
    void out(uint16_t, uint32_t value, unsigned size) override;
    uint32_t in(uint16_t, unsigned) override { return 0xffffffff; }
    // Buffers refused: outside RAM, too long, or an unknown stream.
    uint64_t rejected() const { return m_rejected; }

private:
    GuestMemory const& m_memory;
    OutputStream& m_program;
    OutputStream& m_log;
    uint64_t m_rejected { 0 };
};

// Port 0x5ec: a 32-bit write of the GPA of an abi::FastConBuffer whose len
// is the guest's room; filled from COM1's input queue, len set to the count.
class FastConsoleInput final : public IoDevice {
public:
    FastConsoleInput(GuestMemory& memory, Serial16550& serial) : m_memory(memory), m_serial(serial) { }
    void out(uint16_t, uint32_t value, unsigned size) override;
    uint32_t in(uint16_t, unsigned) override { return 0xffffffff; }
    // Buffers refused: outside RAM or a room above kFastConMaxLen.
    uint64_t rejected() const { return m_rejected; }

private:
    GuestMemory& m_memory;
    Serial16550& m_serial;
    uint64_t m_rejected { 0 };
};

// Port 0x5e4: boot-phase timestamps, in microseconds since VMM start.
class PhaseClock final : public IoDevice {
public:
    using Clock = std::chrono::steady_clock;
    explicit PhaseClock(Clock::time_point start) : m_start(start) { mark(aramid::abi::Phase::VmmStart, start); }
    void out(uint16_t, uint32_t value, unsigned size) override;
    uint32_t in(uint16_t, unsigned) override { return 0xffffffff; }
    void mark(aramid::abi::Phase phase, Clock::time_point when = Clock::now());
    // Microseconds since VMM start, or nullopt if the phase was not reached.
    std::optional<double> microseconds(aramid::abi::Phase phase) const;

private:
    Clock::time_point m_start;
    std::array<std::optional<Clock::time_point>, size_t(aramid::abi::Phase::Count)> m_marks;
};

// Port 0x5e8: the GPA of the kernel's debug table (read by the monitor).
class DebugTablePort final : public IoDevice {
public:
    void out(uint16_t, uint32_t value, unsigned size) override {
        if (size == 4) m_gpa.store(value);
    }
    uint32_t in(uint16_t, unsigned) override { return 0xffffffff; }
    uint64_t gpa() const { return m_gpa.load(); }

private:
    std::atomic<uint64_t> m_gpa { 0 };
};

} // namespace vmm
