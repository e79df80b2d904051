// Cpu: per-CPU state. One CPU for now: the entry code reaches it as a global
// (no SWAPGS, which traps under PVM, docs/pvm.md 3.9). With SMP it will be
// found through the per-CPU entry stack or RDPID.
#pragma once

#include <kernel/arch/x86_64/asm_defs.h>
#include <lib/types.h>

class Thread;

struct Cpu {
    u64 scratch[3];        // entry code temporaries
    u64 user_rsp;          // syscall_entry saves the user RSP here
    u64 kernel_stack_top;  // the current thread's kernel stack: user entries land here
    u64 entry_stack_top;   // TSS.rsp0: a small stack also mapped for the host under PVM
    Thread* current { nullptr };
    Thread* idle { nullptr };
    u64 context_switches { 0 };
    u64 interrupts { 0 };
    bool need_resched { false };
    u32 id { 0 };
};

static_assert(__builtin_offsetof(Cpu, scratch) == CPU_SCRATCH0);
static_assert(__builtin_offsetof(Cpu, user_rsp) == CPU_USER_RSP);
static_assert(__builtin_offsetof(Cpu, kernel_stack_top) == CPU_KERNEL_STACK_TOP);
static_assert(__builtin_offsetof(Cpu, entry_stack_top) == CPU_ENTRY_STACK_TOP);

extern "C" Cpu g_cpu;
inline Cpu& this_cpu() { return g_cpu; }
