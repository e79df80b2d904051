// A 16550 UART at COM1: the program's console.
//
// Output: every THR write goes to the host at once; LSR always says
// "transmitter empty", so a polling driver never waits.
//
// Input: bytes from the host's stdin (ConsoleInput's thread calls
// push_input) wait in a queue the guest reads through RBR, with LSR bit 0
// and IIR 0xc4 ("received data available") while any is left. DCD (MSR
// bit 7) is the host's stdin being open: end_input() drops it once the
// guest has read every queued byte, so the guest sees a hangup after the
// last byte and never before; MSR bit 3 (DDCD) records the change until MSR
// is read, and IIR then says 0xc0 ("modem status"). CTS and DSR stay up.
//
// Interrupts: the guest routes IRQ 4 edge-triggered (IOAPIC pin 4, active
// high), so the device pulses it -- `raise_irq` -- whenever something the
// enabled IER bits cover happens: new bytes (bit 0), a carrier change
// (bit 3), or an IER write enabling a source that is already pending. A
// pulse the guest did not need costs it one IIR read that says "nothing".
//
// Threads: the vCPU thread (in/out) and the input thread (push_input,
// end_input) share the state under m_lock. raise_irq and the host write
// run outside it, so neither thread waits on the other's system calls.
#pragma once

#include <vmm/devices/io_bus.h>
#include <vmm/devices/output.h>

#include <cstdint>
#include <deque>
#include <functional>
#include <mutex>

namespace vmm {

class Serial16550 final : public IoDevice {
public:
    using RaiseIrq = std::function<void()>;
    explicit Serial16550(OutputStream& output, RaiseIrq raise_irq = {})
        : m_output(output), m_raise_irq(std::move(raise_irq)) { }
    void out(uint16_t port, uint32_t value, unsigned size) override;
    uint32_t in(uint16_t port, unsigned size) override;

    // Queues bytes the guest will read from RBR. Ignored after end_input().
    void push_input(char const* data, size_t length);
    // The host's input has ended (EOF, an error, no stdin): DCD drops once
    // the queue is empty.
    void end_input();
    // Bytes the guest has not read yet.
    size_t input_queued();
    // Takes up to `max` queued bytes at once (the fast console input), as
    // that many RBR reads would.
    size_t take_input(char* out, size_t max);

    static constexpr uint16_t kRegisters = 8;
    static constexpr uint8_t kIerReceivedData = 0x01;
    static constexpr uint8_t kIerModemStatus = 0x08;
    static constexpr uint8_t kIirNone = 0xc1;         // FIFOs enabled, nothing pending
    static constexpr uint8_t kIirReceivedData = 0xc4;
    static constexpr uint8_t kIirModemStatus = 0xc0;
    static constexpr uint8_t kLsrDataReady = 0x01;
    static constexpr uint8_t kLsrTransmitterEmpty = 0x60; // THRE | TEMT
    static constexpr uint8_t kMsrDeltaCarrier = 0x08;     // DDCD
    static constexpr uint8_t kMsrClearToSend = 0x10;
    static constexpr uint8_t kMsrDataSetReady = 0x20;
    static constexpr uint8_t kMsrCarrier = 0x80;          // DCD

private:
    // Both with m_lock held.
    bool update_carrier();
    uint8_t interrupt_identification() const;
    void raise_irq() {
        if (m_raise_irq) m_raise_irq();
    }

    OutputStream& m_output;
    RaiseIrq m_raise_irq;
    uint16_t m_base_port_mask { 7 };
    std::mutex m_lock;
    uint8_t m_ier { 0 }, m_lcr { 0 }, m_mcr { 0 }, m_scratch { 0 };
    uint8_t m_dll { 1 }, m_dlm { 0 };
    std::deque<char> m_input;
    bool m_input_ended { false };
    bool m_carrier { true };
    bool m_delta_carrier { false };
};

} // namespace vmm
