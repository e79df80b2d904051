// Constants shared by assembly and C++ (plain #defines; C++ code checks them
// against proto/vm_abi.h and platform/pvm.h with static_asserts).
#pragma once

#define KERNEL_VMA 0xffffffff80000000
#define KERNEL_CS 0x10
#define KERNEL_DS 0x18
#define USER32_CS 0x23
#define USER_DS 0x2b
#define USER_CS 0x33
#define TSS_SELECTOR 0x40

#define PORT_PHASE 0x5e4
#define PHASE_FIRST_INSTRUCTION 2

#define MSR_EFER 0xc0000080
#define EFER_SCE (1 << 0)
#define EFER_LME (1 << 8)
#define EFER_NXE (1 << 11)
#define CR0_PE (1 << 0)
#define CR0_WP (1 << 16)
#define CR0_PG (1 << 31)
#define CR4_PAE (1 << 5)

// This host's PVM (docs/pvm.md 3.2 and pvm-fast-return.md).
#define MSR_PVM_VIF 0x4b564d10
#define MSR_PVM_SIGNATURE 0x4b564d11
#define PVM_SIGNATURE 0x4d5650
// bit 0 enable; 1 flip CR3 to the kernel root on every user->kernel event;
// 2 the same for SYSCALL; 3 arms the fast return gate (int $0x19);
// 4 the host writes the #PF address to vif.cr2.
#define PVM_VIF_ENABLE 0x01
#define PVM_VIF_FLAGS 0x1e
#define PVM_FAST_RETURN_VECTOR 0x19

#define XEN_ELFNOTE_PHYS32_ENTRY 18

// Trap frame layout (TrapFrame in trap_frame.h), byte offsets.
#define FRAME_VECTOR (15 * 8)
#define FRAME_ERROR (16 * 8)
#define FRAME_RIP (17 * 8)
#define FRAME_CS (18 * 8)
#define FRAME_RFLAGS (19 * 8)
#define FRAME_RSP (20 * 8)
#define FRAME_SS (21 * 8)
#define FRAME_SIZE (22 * 8)

// Cpu (arch/x86_64/cpu_local.h) field offsets, used by the entry code.
#define CPU_SCRATCH0 0
#define CPU_SCRATCH1 8
#define CPU_SCRATCH2 16
#define CPU_USER_RSP 24
#define CPU_KERNEL_STACK_TOP 32
#define CPU_ENTRY_STACK_TOP 40

// PVM return-to-user trampoline (platform/pvm_return.S): mapped at this
// user address in every address space; its data block follows the code.
#define PVM_TRAMPOLINE_VA 0x7ffffffff000
#define PVM_TRAMPOLINE_RCX 0x800
#define PVM_TRAMPOLINE_R11 0x808
#define PVM_TRAMPOLINE_RIP 0x810

// The vector number a syscall frame carries (no IDT vector is this large).
#define SYSCALL_VECTOR 0x100
