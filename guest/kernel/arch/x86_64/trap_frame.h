// TrapFrame: the registers of an interrupted context, as trap_entry.S saves
// them. One layout for exceptions, interrupts and syscalls (vector
// SYSCALL_VECTOR), from user or kernel mode.
#pragma once

#include <kernel/arch/x86_64/asm_defs.h>
#include <lib/types.h>

struct TrapFrame {
    u64 rax, rbx, rcx, rdx, rsi, rdi, rbp, r8, r9, r10, r11, r12, r13, r14, r15;
    u64 vector;
    u64 error;
    // pushed by the CPU (or, under PVM, the host), or built by syscall_entry
    u64 rip, cs, rflags, rsp, ss;

    bool from_user() const { return (cs & 3) != 0; }
};

static_assert(__builtin_offsetof(TrapFrame, vector) == FRAME_VECTOR);
static_assert(__builtin_offsetof(TrapFrame, error) == FRAME_ERROR);
static_assert(__builtin_offsetof(TrapFrame, rip) == FRAME_RIP);
static_assert(__builtin_offsetof(TrapFrame, cs) == FRAME_CS);
static_assert(__builtin_offsetof(TrapFrame, rflags) == FRAME_RFLAGS);
static_assert(__builtin_offsetof(TrapFrame, rsp) == FRAME_RSP);
static_assert(__builtin_offsetof(TrapFrame, ss) == FRAME_SS);
static_assert(sizeof(TrapFrame) == FRAME_SIZE);
