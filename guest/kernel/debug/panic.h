// panic(): report and stop. The report goes to the kernel log at error
// level (shown even with `quiet`), then the VM exits with the panic exit
// word, so aramid-vmm exits 123 and QEMU's runner sees the marker line
// "KERNEL PANIC:".
#pragma once

#include <lib/types.h>

[[noreturn]] void panic(char const* fmt, ...) __attribute__((format(printf, 1, 2)));

// Prints "  [n] address symbol+offset" lines for the frame-pointer chain
// starting at `rbp`.
void print_backtrace(u64 rbp, u64 first_rip = 0);

#define ASSERT(condition)                                                                   \
    do {                                                                                    \
        if (!(condition)) [[unlikely]]                                                     \
            panic("assertion failed: %s (%s:%d)", #condition, __FILE__, __LINE__);          \
    } while (0)
