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
 *  - to user, PVM: the host's fast return gate `int $0x19` (about 1 us),
 *    or SYSRETQ where the gate is not armed (about 8 us). A native IRETQ
 *    would leave the host believing the vCPU is still in kernel mode.
 *    On this host (kernel 6.18.44-fc-v782) the gate behaves as SYSRET does:
 *    RIP <- RCX, RFLAGS <- R11, RSP unchanged (not an IRET frame, as the
 *    older fc-v669 notes say). So user RSP is loaded first, and when RCX or
 *    R11 must keep their values (exceptions, interrupts, exec, signals) the
 *    return goes through a three-instruction user trampoline that reloads
 *    RCX, R11 and RIP from a block the kernel filled (docs/pvm.md 3.6).
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
	/* Direct return when RCX/R11 already hold RIP/RFLAGS (a plain syscall
	 * return); otherwise through the trampoline. */
	mov	FRAME_RIP(%rsp), %rax
	cmp	%rax, 16(%rsp)			/* saved rcx == rip? */
	jne	1f
	mov	FRAME_RFLAGS(%rsp), %rax
	cmp	%rax, 80(%rsp)			/* saved r11 == rflags? */
	je	2f
1:	mov	16(%rsp), %rax			/* the block: rcx, r11, rip */
	mov	%rax, pvm_trampoline_page + PVM_TRAMPOLINE_RCX(%rip)
	mov	80(%rsp), %rax
	mov	%rax, pvm_trampoline_page + PVM_TRAMPOLINE_R11(%rip)
	mov	FRAME_RIP(%rsp), %rax
	mov	%rax, pvm_trampoline_page + PVM_TRAMPOLINE_RIP(%rip)
	movabs	$PVM_TRAMPOLINE_VA, %rax
	mov	%rax, 16(%rsp)			/* rcx = the trampoline */
	mov	FRAME_RFLAGS(%rsp), %rax
	mov	%rax, 80(%rsp)			/* r11 = rflags */
2:	POP_REGS
	mov	40(%rsp), %rsp			/* user RSP (vector, error, rip, cs, rflags, rsp) */
	cmpb	$0, g_pvm_fast_return(%rip)
	je	3f
	int	$PVM_FAST_RETURN_VECTOR
3:	sysretq

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
	/* Back into a delivery loop (below): it re-enables and checks again
	 * itself. Delivering here as well would nest one more frame per
	 * interrupt for as long as interrupts keep coming, until the stack
	 * overflowed (a user program with a 1 us periodic timer did that). */
	cmpq	$pvm_delivery_return, 8(%rsp)
	je	2f
1:	movb	$1, pvm_vif_page(%rip)
	cmpb	$0, pvm_vif_page + 1(%rip)	/* an interrupt waits: let the host inject it */
	je	2f
	push	%rax
	push	%rcx
	push	%rdx
	call	pvm_deliver_pending
	pop	%rdx
	pop	%rcx
	pop	%rax
	jmp	1b
2:	popfq
	ret

/*
 * pvm_deliver_pending: lets the host inject the interrupt that waits for
 * if_ (any trapping instruction does; never STI, which drives a separate
 * host IF that then disagrees with if_). C-callable; clobbers rax, rcx, rdx.
 * The interrupt returns to pvm_delivery_return with if_ still 0, so the
 * caller, at its own stack depth, sets if_ and checks again: interrupts
 * arriving back to back are taken one after another, never nested.
 */
	.globl	pvm_deliver_pending
pvm_deliver_pending:
	mov	$0x4b564d12, %ecx
	rdmsr
	.globl	pvm_delivery_return
pvm_delivery_return:
	ret

	.section .note.GNU-stack, "", @progbits

/*
 * The PVM return trampoline, mapped read-only and executable at
 * PVM_TRAMPOLINE_VA in every address space. The kernel fills the block
 * through its own (writable) mapping of the page before each return that
 * goes through it. One block: one CPU.
 */
	.section .data.pvm_trampoline, "aw"
	.balign 4096
	.globl pvm_trampoline_page, pvm_trampoline_end
pvm_trampoline_page:
	mov	pvm_trampoline_page + PVM_TRAMPOLINE_RCX(%rip), %rcx
	mov	pvm_trampoline_page + PVM_TRAMPOLINE_R11(%rip), %r11
	jmp	*pvm_trampoline_page + PVM_TRAMPOLINE_RIP(%rip)
pvm_trampoline_end:
	.fill	PVM_TRAMPOLINE_RCX - (pvm_trampoline_end - pvm_trampoline_page), 1, 0xcc
	.quad	0, 0, 0
	.balign 4096

/* jump_to_user(TrapFrame*): the first entry of a new user thread (and exec). */
	.section .text
	.globl jump_to_user
jump_to_user:
	mov	%rdi, %rsp
	jmp	return_to_user

	.section .note.GNU-stack, "", @progbits
