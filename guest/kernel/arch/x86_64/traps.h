// Exceptions and interrupts after trap_entry.S has saved the registers.
#pragma once

#include <kernel/arch/x86_64/trap_frame.h>

namespace traps {

using InterruptHandler = void (*)(TrapFrame&);

// Vectors 32..255. Handlers run with interrupts disabled.
void set_handler(u8 vector, InterruptHandler handler);

// Prints a full report of a fault in kernel mode and panics.
[[noreturn]] void kernel_fault(TrapFrame const& frame, char const* what);

char const* exception_name(u64 vector);

inline constexpr u8 kVectorTimer = 0x40;
inline constexpr u8 kVectorSerial = 0x44;
inline constexpr u8 kVectorSpurious = 0xff;

} // namespace traps
