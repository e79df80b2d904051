#include <vmm/devices/serial.h>

#include <algorithm>

namespace vmm {

namespace {
enum Register : uint16_t { kData = 0, kIer = 1, kIir = 2, kLcr = 3, kMcr = 4, kLsr = 5, kMsr = 6, kScratch = 7 };
constexpr uint8_t kLcrDlab = 0x80;
} // namespace

void Serial16550::out(uint16_t port, uint32_t value, unsigned) {
    uint8_t const byte = uint8_t(value);
    bool pulse = false, transmit = false;
    {
        std::lock_guard guard(m_lock);
        switch (port & m_base_port_mask) {
        case kData:
            if (m_lcr & kLcrDlab) m_dll = byte;
            else transmit = true;
            break;
        case kIer: {
            if (m_lcr & kLcrDlab) {
                m_dlm = byte;
                break;
            }
            uint8_t const enabled = byte & 0x0f & ~m_ier;
            m_ier = byte & 0x0f;
            pulse = ((enabled & kIerReceivedData) && !m_input.empty())
                || ((enabled & kIerModemStatus) && m_delta_carrier);
            break;
        }
        case kLcr: m_lcr = byte; break;
        case kMcr: m_mcr = byte & 0x1f; break;
        case kScratch: m_scratch = byte; break;
        default: break; // FCR and the read-only registers
        }
    }
    // Outside the lock: a slow host stdout must not hold up the input thread.
    if (transmit) m_output.write(reinterpret_cast<char const*>(&byte), 1);
    if (pulse) raise_irq();
}

uint32_t Serial16550::in(uint16_t port, unsigned) {
    bool pulse = false;
    uint8_t value = 0xff;
    {
        std::lock_guard guard(m_lock);
        switch (port & m_base_port_mask) {
        case kData:
            if (m_lcr & kLcrDlab) {
                value = m_dll;
            } else if (m_input.empty()) {
                value = 0;
            } else {
                value = uint8_t(m_input.front());
                m_input.pop_front();
                // The last byte after the host's EOF: now the hangup.
                pulse = update_carrier() && (m_ier & kIerModemStatus);
            }
            break;
        case kIer: value = (m_lcr & kLcrDlab) ? m_dlm : m_ier; break;
        case kIir: value = interrupt_identification(); break;
        case kLcr: value = m_lcr; break;
        case kMcr: value = m_mcr; break;
        case kLsr: value = kLsrTransmitterEmpty | (m_input.empty() ? 0 : kLsrDataReady); break;
        case kMsr:
            value = kMsrClearToSend | kMsrDataSetReady | (m_carrier ? kMsrCarrier : 0)
                | (m_delta_carrier ? kMsrDeltaCarrier : 0);
            m_delta_carrier = false;
            break;
        case kScratch: value = m_scratch; break;
        }
    }
    if (pulse) raise_irq();
    return value;
}

void Serial16550::push_input(char const* data, size_t length) {
    bool pulse = false;
    {
        std::lock_guard guard(m_lock);
        if (m_input_ended || length == 0) return;
        m_input.insert(m_input.end(), data, data + length);
        pulse = m_ier & kIerReceivedData;
    }
    if (pulse) raise_irq();
}

void Serial16550::end_input() {
    bool pulse = false;
    {
        std::lock_guard guard(m_lock);
        m_input_ended = true;
        pulse = update_carrier() && (m_ier & kIerModemStatus);
    }
    if (pulse) raise_irq();
}

size_t Serial16550::take_input(char* out, size_t max) {
    bool pulse = false;
    size_t n = 0;
    {
        std::lock_guard guard(m_lock);
        n = std::min(max, m_input.size());
        std::copy_n(m_input.begin(), n, out);
        m_input.erase(m_input.begin(), m_input.begin() + long(n));
        // The last bytes after the host's EOF: now the hangup.
        pulse = n && update_carrier() && (m_ier & kIerModemStatus);
    }
    if (pulse) raise_irq();
    return n;
}

size_t Serial16550::input_queued() {
    std::lock_guard guard(m_lock);
    return m_input.size();
}

bool Serial16550::update_carrier() {
    bool const carrier = !(m_input_ended && m_input.empty());
    if (carrier == m_carrier) return false;
    m_carrier = carrier;
    m_delta_carrier = true;
    return true;
}

uint8_t Serial16550::interrupt_identification() const {
    if ((m_ier & kIerReceivedData) && !m_input.empty()) return kIirReceivedData;
    if ((m_ier & kIerModemStatus) && m_delta_carrier) return kIirModemStatus;
    return kIirNone;
}

} // namespace vmm
