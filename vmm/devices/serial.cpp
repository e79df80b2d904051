#include <vmm/devices/serial.h>

namespace vmm {

namespace {
enum Register : uint16_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScratch = 7 };
constexpr uint8_t kLcrDlab = 0x80;
} // namespace

void Serial16550::out(uint16_t port, uint32_t value, unsigned) {
    uint8_t const byte = uint8_t(value);
    switch (port & m_base_port_mask) {
    case kData:
        if (m_lcr & kLcrDlab) m_dll = byte;
        else m_output.write(reinterpret_cast<char const*>(&byte), 1);
        break;
    case kIer:
        if (m_lcr & kLcrDlab) m_dlm = byte;
        else m_ier = byte & 0x0f;
        break;
    case kLcr: m_lcr = byte; break;
    case kMcr: m_mcr = byte & 0x1f; break;
    case kScratch: m_scratch = byte; break;
    default: break; // FCR and the read-only registers
    }
}

uint32_t Serial16550::in(uint16_t port, unsigned) {
    switch (port & m_base_port_mask) {
    case kData: {
        if (m_lcr & kLcrDlab) return m_dll;
        std::lock_guard guard(m_input_lock);
        if (m_input.empty()) return 0;
        char c = m_input.front();
        m_input.pop_front();
        return uint8_t(c);
    }
    case kIer: return (m_lcr & kLcrDlab) ? m_dlm : m_ier;
    case kIir: return 0xc1; // FIFOs enabled, no interrupt pending
    case kLcr: return m_lcr;
    case kMcr: return m_mcr;
    case kLsr: {
        std::lock_guard guard(m_input_lock);
        return kLsrTransmitterEmpty | (m_input.empty() ? 0 : kLsrDataReady);
    }
    case kMsr: return 0xb0; // DCD | DSR | CTS
    case kScratch: return m_scratch;
    }
    return 0xff;
}

void Serial16550::push_input(char const* data, size_t length) {
    std::lock_guard guard(m_input_lock);
    m_input.insert(m_input.end(), data, data + length);
}

} // namespace vmm
