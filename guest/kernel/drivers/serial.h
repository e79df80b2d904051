// The COM1 16550's receive side: interrupt-driven input for the console tty.
// aramid-vmm feeds it from its stdin; when that stdin is a pipe, the end of
// input arrives as a carrier (DCD) drop, which the tty turns into EOF.
#pragma once

namespace serial {

// `hangup_is_eof`: treat a DCD drop as the end of input (aramid-vmm with a
// piped stdin says so on the command line; real UARTs and QEMU's do not).
void init(bool hangup_is_eof);
// Takes what waited for room in the tty (called after a tty read).
void pull_input();

} // namespace serial
