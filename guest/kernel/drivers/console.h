// The console: where the program's output and the kernel log leave the VM.
//
// Under aramid-vmm (`aramid.fastcon=1`) each buffer is handed over by
// reference through the fast-console port: one VM exit per line or write
// instead of one per byte (22 us each under PVM). Elsewhere the program's
// output goes to the 16550 COM1 and the kernel log to the 0xe9 debug port.
#pragma once

#include <lib/types.h>

namespace console {

enum class Stream { Program, KernelLog };

void configure(bool fast_console);
// Writes bytes to a stream; safe in any context (the caller serializes).
void write(Stream stream, char const* data, usize length);
bool fast_console();

} // namespace console
