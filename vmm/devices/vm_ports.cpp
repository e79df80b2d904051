#include <vmm/devices/serial.h>
#include <vmm/devices/vm_ports.h>
#include <vmm/kvm/guest_memory.h>

namespace vmm {

using namespace aramid::abi;

void FastConsole::out(uint16_t, uint32_t value, unsigned size) {
    if (size != 4) {
        m_rejected++;
        return;
    }
    auto header = m_memory.read<FastConBuffer>(value);
    if (!header || header->len > kFastConMaxLen) {
        m_rejected++;
        return;
    }
    auto bytes = m_memory.span(uint64_t(value) + sizeof(FastConBuffer), header->len);
    if (!bytes) {
        m_rejected++;
        return;
    }
    OutputStream* target = header->stream == kStreamProgram ? &m_program
        : header->stream == kStreamKernelLog                ? &m_log
                                                            : nullptr;
    if (!target) {
        m_rejected++;
        return;
    }
    target->write(reinterpret_cast<char const*>(bytes->data()), bytes->size());
}

void FastConsoleInput::out(uint16_t, uint32_t value, unsigned size) {
    auto header = size == 4 ? m_memory.read<FastConBuffer>(value) : std::nullopt;
    // The whole room must be RAM before a byte leaves the queue: a refused
    // buffer loses no input.
    if (!header || header->len > kFastConMaxLen
        || !m_memory.contains(uint64_t(value) + sizeof(FastConBuffer), header->len)) {
        m_rejected++;
        return;
    }
    char bytes[kFastConMaxLen];
    size_t const n = m_serial.take_input(bytes, header->len);
    m_memory.write_bytes(uint64_t(value) + sizeof(FastConBuffer), bytes, n);
    m_memory.write(value, FastConBuffer { uint32_t(n), header->stream });
}

void PhaseClock::out(uint16_t, uint32_t value, unsigned size) {
    if (size != 4 || value >= uint32_t(Phase::Count)) return;
    mark(Phase(value));
}

void PhaseClock::mark(Phase phase, Clock::time_point when) {
    auto& slot = m_marks[size_t(phase)];
    if (!slot) slot = when; // first occurrence wins
}

std::optional<double> PhaseClock::microseconds(Phase phase) const {
    auto const& slot = m_marks[size_t(phase)];
    if (!slot) return std::nullopt;
    return std::chrono::duration<double, std::micro>(*slot - m_start).count();
}

} // namespace vmm
