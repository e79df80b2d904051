#include <kernel/arch/x86_64/apic.h>
#include <kernel/arch/x86_64/cpu.h>
#include <kernel/arch/x86_64/ioapic.h>
#include <kernel/arch/x86_64/platform/platform.h>
#include <kernel/arch/x86_64/traps.h>
#include <kernel/drivers/console.h>
#include <kernel/drivers/serial.h>
#include <kernel/drivers/tty.h>
#include <proto/vm_abi.h>

namespace serial {

namespace {

using namespace aramid::abi;
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

// The fast console input's buffer, in the kernel image (its GPA is its VA
// minus the image base).
struct alignas(4096) InputBuffer {
    FastConBuffer header;
    char bytes[kFastConMaxLen];
};
InputBuffer g_input;
bool g_fast_input;

// Moves received bytes from the UART into the tty while the tty has room;
// the rest stays behind (in the VMM's queue, and then in the host's pipe),
// so a fast writer waits instead of losing bytes.
void pull() {
    if (g_fast_input) {
        // One exit per buffer instead of two per byte (LSR, then RBR).
        for (usize room; (room = tty::input_room()) > 0;) {
            g_input.header.len = u32(lib::min(room, usize(kFastConMaxLen)));
            g_input.header.stream = kStreamProgram;
            x86::compiler_barrier();
            x86::out32(kPortFastConIn, u32(reinterpret_cast<u64>(&g_input) - kKernelVirtualBase));
            x86::compiler_barrier();
            usize const n = lib::min(usize(g_input.header.len), room);
            if (n == 0) break;
            tty::receive(g_input.bytes, n);
        }
        return;
    }
    char buffer[64];
    for (usize room; (room = tty::input_room()) > 0;) {
        usize n = 0;
        while (n < lib::min(room, sizeof(buffer)) && (x86::in8(kLsr) & 1)) buffer[n++] = char(x86::in8(kData));
        if (n == 0) break;
        tty::receive(buffer, n);
    }
}

void on_interrupt(TrapFrame&) {
    // Each port access is a VM exit: read only what the IIR says is there.
    for (int rounds = 0; rounds < 64; rounds++) {
        u8 const iir = x86::in8(kIir);
        if (iir & 1) break; // nothing pending
        u8 const cause = (iir >> 1) & 7;
        if (cause == 2 || cause == 6) { // data available / character timeout
            pull();
            // A full tty leaves the data pending; pull_input() takes it later.
            if (tty::input_room() == 0) break;
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
    g_fast_input = console::fast_console();
    traps::set_handler(traps::kVectorSerial, on_interrupt);
    ioapic::route(4, traps::kVectorSerial);
    x86::out8(kMcr, 0x0b); // DTR, RTS, OUT2 (interrupts to the bus)
    x86::out8(kIer, 0x09); // received data, modem status
    check_carrier(x86::in8(kMsr));
}

void pull_input() {
    // The interrupt handler pulls too: keep it out while this one does.
    bool const irqs = platform::irq_save();
    pull();
    // Bytes that waited for room may have been the last before a hangup.
    check_carrier(x86::in8(kMsr));
    platform::irq_restore(irqs);
}

} // namespace serial
