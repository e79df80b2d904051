/*
 * Kernel entry and exit: the 256 IDT stubs, the SYSCALL entry, and the
 * returns to user mode and to interrupted kernel code, for both platforms.
 *
 * Entry from user mode arrives on the per-CPU entry stack (TSS.rsp0). Under
 * PVM that stack is mapped into the user page table and user code can
 * write it, so the frame is copied at once onto the current thread's own
 * kernel stack (g_cpu.kernel_stack_top), which user mode never sees.
 * Entry from kernel mode stays on the interrupted stack (or an IST stack).
 *
 * Returns (docs/pvm.md 3.6, pvm-fast-return.md):
 *  - to user, native: IRETQ.
 *  - to user, PVM: an IRET frame on the entry stack and `int $0x19`, the
 *    host's fast return gate (about 1 us; SYSRETQ costs about 8 us). A
 *    native IRETQ would leave the host believing the vCPU is still in
 *    kernel mode.
 *  - to kernel, native: IRETQ.
 *  - to kernel, PVM: POPFQ; RET on the interrupted stack, and vif.if_ set
 *    by hand from the frame's IF. An IRETQ to a CS=0x10 frame would trap
 *    (~10 us) and move the host's separate virtual IF.
 * Interrupts stay disabled from here to the final instruction.
 */
#include <kernel/arch/x86_64/asm_defs.h>

.macro PUSH_REGS
	push	%r15
	push	%r14
	push	%r13
	push	%r12
	push	%r11
	push	%r10
	push	%r9
	push	%r8
	push	%rbp
	push	%rdi
	push	%rsi
	push	%rdx
	push	%rcx
	push	%rbx
	push	%rax
.endm

.macro POP_REGS
	pop	%rax
	pop	%rbx
	pop	%rcx
	pop	%rdx
	pop	%rsi
	pop	%rdi
	pop	%rbp
	pop	%r8
	pop	%r9
	pop	%r10
	pop	%r11
	pop	%r12
	pop	%r13
	pop	%r14
	pop	%r15
.endm

/* Vectors whose exceptions push an error code. */
.macro STUB vector
	.balign 16
	.if (\vector == 8) || (\vector >= 10 && \vector <= 14) || (\vector == 17) || (\vector == 21) || (\vector == 29) || (\vector == 30)
	.else
	pushq	$0
	.endif
	pushq	$\vector
	jmp	trap_common
.endm

	.section .text.entry, "ax"
	.balign 16
	.globl trap_stubs
trap_stubs:
	.altmacro
	.set vector, 0
	.rept 256
	STUB %vector
	.set vector, vector + 1
	.endr

trap_common:
	testb	$3, 24(%rsp)		/* CS, above vector, error and RIP */
	jz	1f
	/* From user mode: move vector..SS (7 words) to the thread's stack. */
	mov	%rdi, g_cpu + CPU_SCRATCH0(%rip)
	mov	%rsi, g_cpu + CPU_SCRATCH1(%rip)
	mov	%rcx, g_cpu + CPU_SCRATCH2(%rip)
	mov	%rsp, %rsi
	mov	g_cpu + CPU_KERNEL_STACK_TOP(%rip), %rdi
	sub	$56, %rdi
	mov	%rdi, %rsp
	mov	$7, %ecx
	cld				/* user mode may have left DF set */
	rep movsq
	mov	g_cpu + CPU_SCRATCH2(%rip), %rcx
	mov	g_cpu + CPU_SCRATCH1(%rip), %rsi
	mov	g_cpu + CPU_SCRATCH0(%rip), %rdi
1:	PUSH_REGS
	mov	%rsp, %rdi
	cld
	call	handle_trap
	jmp	trap_return

/*
 * SYSCALL from user mode: RCX = user RIP, R11 = user RFLAGS, RSP = user RSP.
 * Under PVM the host has already switched CR3 to the kernel root (VIF flag
 * bits 1 and 2). Builds a TrapFrame on the thread's kernel stack.
 */
	.balign 16
	.globl syscall_entry
syscall_entry:
	movb	$0, pvm_vif_page(%rip)	/* PVM: interrupts off (native: SFMASK) */
	mov	%rsp, g_cpu + CPU_USER_RSP(%rip)
	mov	g_cpu + CPU_KERNEL_STACK_TOP(%rip), %rsp
	pushq	$USER_DS
	pushq	g_cpu + CPU_USER_RSP(%rip)
	push	%r11
	pushq	$USER_CS
	push	%rcx
	pushq	$0
	pushq	$SYSCALL_VECTOR
	PUSH_REGS
	mov	%rsp, %rdi
	cld
	call	handle_syscall
	/* fall through */

/* trap_return: RSP points at a TrapFrame; interrupts are disabled. */
	.globl trap_return
trap_return:
	testb	$3, FRAME_CS(%rsp)
	jz	return_to_kernel
	.globl return_to_user
return_to_user:
	cmpb	$0, g_platform_pvm(%rip)
	jne	pvm_return_to_user
	POP_REGS
	add	$16, %rsp		/* vector, error */
	iretq

pvm_return_to_user:
	/* Copy RIP..SS to the entry stack, restore every register from the
	 * frame, switch to the copy and take the host's return gate. */
	lea	FRAME_RIP(%rsp), %rsi
	mov	g_cpu + CPU_ENTRY_STACK_TOP(%rip), %rdi
	sub	$40, %rdi
	mov	%rdi, g_cpu + CPU_SCRATCH0(%rip)
	mov	$5, %ecx
	rep movsq
	POP_REGS
	mov	g_cpu + CPU_SCRATCH0(%rip), %rsp
	int	$PVM_FAST_RETURN_VECTOR

return_to_kernel:
	cmpb	$0, g_platform_pvm(%rip)
	jne	pvm_return_to_kernel
	POP_REGS
	add	$16, %rsp
	iretq

pvm_return_to_kernel:
	/*
	 * Build [rip][rflags][rax][rbx][rcx] just below the interrupted RSP and
	 * finish with POPFQ; RET there. The frame may sit right below that RSP:
	 * the writes then only cover its RIP..SS words, read first; the saved
	 * registers lie lower in the frame and are never overwritten.
	 */
	mov	FRAME_RSP(%rsp), %rax
	mov	FRAME_RIP(%rsp), %rbx
	mov	FRAME_RFLAGS(%rsp), %rcx
	mov	%rbx, -8(%rax)
	mov	%rcx, -16(%rax)
	mov	0(%rsp), %rdx		/* saved rax */
	mov	%rdx, -24(%rax)
	mov	8(%rsp), %rdx		/* saved rbx */
	mov	%rdx, -32(%rax)
	mov	16(%rsp), %rdx		/* saved rcx */
	mov	%rdx, -40(%rax)
	mov	24(%rsp), %rdx
	mov	32(%rsp), %rsi
	mov	40(%rsp), %rdi
	mov	48(%rsp), %rbp
	mov	56(%rsp), %r8
	mov	64(%rsp), %r9
	mov	72(%rsp), %r10
	mov	80(%rsp), %r11
	mov	88(%rsp), %r12
	mov	96(%rsp), %r13
	mov	104(%rsp), %r14
	mov	112(%rsp), %r15
	lea	-40(%rax), %rsp
	pop	%rcx
	pop	%rbx
	pop	%rax
	testl	$0x200, (%rsp)		/* the interrupted context's IF */
	jz	2f
	movb	$1, pvm_vif_page(%rip)
	cmpb	$0, pvm_vif_page + 1(%rip)	/* an interrupt waits: let the host inject it */
	je	2f
	push	%rax
	push	%rcx
	push	%rdx
	call	pvm_deliver_pending_asm
	pop	%rdx
	pop	%rcx
	pop	%rax
2:	popfq
	ret

pvm_deliver_pending_asm:
	mov	$0x4b564d12, %ecx	/* any trapping instruction; never STI */
	rdmsr
	ret

	.section .note.GNU-stack, "", @progbits
