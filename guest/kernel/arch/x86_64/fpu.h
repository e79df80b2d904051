// User FPU/SSE/AVX state. The kernel never touches these registers (it is
// built with -mgeneral-regs-only), so a thread's user state only needs
// saving when another user thread takes the CPU. XSAVE/XRSTOR with AMX
// masked out (an XSAVE that includes AMX tile data traps under PVM), FXSAVE
// where XSAVE is missing.
#pragma once

#include <lib/types.h>

namespace fpu {

void init();
// Bytes of one saved state (64-byte aligned buffers).
usize state_size();
bool uses_xsave();
u64 components(); // the XSAVE components saved (XCR0 without AMX)
// Fills `area` with the state a new process starts with.
void init_state(void* area);
void save(void* area);
void restore(void const* area);
// Makes a state that came from user memory safe to restore: reserved MXCSR
// bits and unknown XSAVE header bits would make XRSTOR fault in the kernel.
void sanitize(void* area);

} // namespace fpu
