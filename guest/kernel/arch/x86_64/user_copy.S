/*
 * Copies between kernel and user memory. A #PF at one of the marked
 * instructions is first offered to the current address space (demand
 * paging, copy-on-write); if that cannot resolve it, the trap handler moves
 * RIP to the matching fixup, which returns the number of bytes not copied.
 * REP MOVSB/STOSB restart where they stopped.
 */
	.section .text
	.globl user_copy, user_clear, user_copy_insn, user_copy_fixup, user_clear_insn, user_clear_fixup

/* u64 user_copy(void* dst, void const* src, u64 n) -> bytes not copied */
user_copy:
	mov	%rdx, %rcx
user_copy_insn:
	rep movsb
	xor	%eax, %eax
	ret
user_copy_fixup:
	mov	%rcx, %rax
	ret

/* u64 user_clear(void* dst, u64 n) -> bytes not cleared */
user_clear:
	mov	%rsi, %rcx
	xor	%eax, %eax
user_clear_insn:
	rep stosb
	ret
user_clear_fixup:
	mov	%rcx, %rax
	ret

	.section .note.GNU-stack, "", @progbits
