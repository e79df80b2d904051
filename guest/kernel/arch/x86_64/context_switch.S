/*
 * switch_context(u64* save_rsp, u64 new_rsp): saves the callee-saved
 * registers on the current stack, stores RSP in *save_rsp, loads new_rsp
 * and restores the registers saved there. A new thread's stack is prepared
 * so that the first switch "returns" into thread_start (sched/thread.cpp).
 */
	.section .text
	.globl switch_context
switch_context:
	push	%rbp
	push	%rbx
	push	%r12
	push	%r13
	push	%r14
	push	%r15
	mov	%rsp, (%rdi)
	mov	%rsi, %rsp
	pop	%r15
	pop	%r14
	pop	%r13
	pop	%r12
	pop	%rbx
	pop	%rbp
	ret

	/* First code of every new thread: r12 = entry, r13 = argument. */
	.globl thread_start_trampoline
thread_start_trampoline:
	mov	%r12, %rdi
	mov	%r13, %rsi
	xor	%ebp, %ebp		/* ends backtraces */
	call	thread_start
	ud2

	.section .note.GNU-stack, "", @progbits
