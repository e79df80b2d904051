// A 16550 UART at COM1, enough for a polling driver: THR output, LSR always
// "transmitter empty", received bytes from the host's stdin (when wired up),
// DLAB and scratch registers kept as written.
#pragma once

#include <vmm/devices/io_bus.h>
#include <vmm/devices/output.h>

#include <cstdint>
#include <deque>
#include <mutex>

namespace vmm {

class Serial16550 final : public IoDevice {
public:
    explicit Serial16550(OutputStream& output) : m_output(output) { }
    void out(uint16_t port, uint32_t value, unsigned size) override;
    uint32_t in(uint16_t port, unsigned size) override;
    // Queues bytes the guest will read from RBR (thread-safe).
    void push_input(char const* data, size_t length);

    static constexpr uint16_t kRegisters = 8;
    static constexpr uint8_t kLsrDataReady = 0x01;
    static constexpr uint8_t kLsrTransmitterEmpty = 0x60; // THRE | TEMT

private:
    OutputStream& m_output;
    uint16_t m_base_port_mask { 7 };
    uint8_t m_ier { 0 }, m_lcr { 0 }, m_mcr { 0 }, m_scratch { 0 };
    uint8_t m_dll { 1 }, m_dlm { 0 };
    std::mutex m_input_lock;
    std::deque<char> m_input;
};

} // namespace vmm
