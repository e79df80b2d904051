#include <kernel/arch/x86_64/apic.h>
#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/ioapic.h>
#include <kernel/arch/x86_64/traps.h>
#include <kernel/drivers/serial.h>
#include <kernel/drivers/tty.h>
#include <proto/vm_abi.h>

namespace serial {

namespace {

using aramid::abi::kPortCom1;
constexpr u16 kData = kPortCom1, kIer = kPortCom1 + 1, kIir = kPortCom1 + 2, kMcr = kPortCom1 + 4,
              kLsr = kPortCom1 + 5, kMsr = kPortCom1 + 6;
constexpr u8 kMsrCarrier = 0x80;

bool g_hangup_is_eof;
bool g_hung_up;

void check_carrier(u8 msr) {
    if (g_hangup_is_eof && !(msr & kMsrCarrier) && !g_hung_up) {
        g_hung_up = true;
        tty::receive_end_of_input();
    }
}

void on_interrupt(TrapFrame&) {
    char buffer[64];
    // Each port access is a VM exit: read only what the IIR says is there.
    for (int rounds = 0; rounds < 64; rounds++) {
        u8 const iir = x86::in8(kIir);
        if (iir & 1) break; // nothing pending
        u8 const cause = (iir >> 1) & 7;
        if (cause == 2 || cause == 6) { // data available / character timeout
            usize n = 0;
            while (n < sizeof(buffer) && (x86::in8(kLsr) & 1)) buffer[n++] = char(x86::in8(kData));
            if (n) tty::receive(buffer, n);
        } else if (cause == 0) { // modem status changed
            check_carrier(x86::in8(kMsr));
        } else if (cause == 3) { // line status
            (void)x86::in8(kLsr);
        }
    }
    apic::eoi();
}

} // namespace

void init(bool hangup_is_eof) {
    g_hangup_is_eof = hangup_is_eof;
    traps::set_handler(traps::kVectorSerial, on_interrupt);
    ioapic::route(4, traps::kVectorSerial);
    x86::out8(kMcr, 0x0b); // DTR, RTS, OUT2 (interrupts to the bus)
    x86::out8(kIer, 0x09); // received data, modem status
    check_carrier(x86::in8(kMsr));
}

} // namespace serial
