/*
 * The kernel's two entries. Both end in boot_main64(boot_info_gpa) with a
 * Xen PVH hvm_start_info (proto/vm_abi.h):
 *
 *  - _start (e_entry), used by aramid-vmm: 64-bit long mode on the VMM's
 *    boot page tables, rbx = GPA of the boot info.
 *  - pvh_start32 (XEN_ELFNOTE_PHYS32_ENTRY), used by QEMU: 32-bit protected
 *    mode, paging off, ebx = GPA of the boot info. It builds its own boot
 *    page tables, enters long mode and joins _start.
 *
 * Under PVM the vCPU starts in the host's emulated mode, about 1.2 us per
 * instruction, so the path from _start to the MSR_PVM_VIF write is kept to
 * about 20 instructions of assembly (docs/pvm.md 2.2).
 */
#include <kernel/arch/x86_64/asm_defs.h>

	.section .note.Xen, "a"
	.balign 4
	.long 4				/* namesz */
	.long 8				/* descsz */
	.long XEN_ELFNOTE_PHYS32_ENTRY
	.asciz "Xen"
	.balign 4
	.quad pvh_start32 - KERNEL_VMA
	.balign 4

/* ---------------------------------------------------------------- PVH */
	.section .text.boot32, "ax"
	.code32
	.globl pvh_start32
pvh_start32:
	cld
	mov	%ebx, %esi
	lgdt	(pvh_gdt_descriptor - KERNEL_VMA)
	mov	$KERNEL_DS, %eax
	mov	%eax, %ds
	mov	%eax, %es
	mov	%eax, %ss
	mov	%eax, %fs
	mov	%eax, %gs
	/* the PD maps the first GiB with 2 MiB pages, twice: identity and at
	 * KERNEL_VMA (the PML4 and PDPTs are static, below) */
	mov	$(pvh_pd - KERNEL_VMA), %edi
	mov	$0x83, %eax		/* present, writable, 2 MiB */
	xor	%ecx, %ecx
1:	mov	%eax, (%edi,%ecx,8)
	movl	$0, 4(%edi,%ecx,8)
	add	$0x200000, %eax
	inc	%ecx
	cmp	$512, %ecx
	jb	1b
	mov	%cr4, %eax
	or	$CR4_PAE, %eax
	mov	%eax, %cr4
	mov	$(pvh_pml4 - KERNEL_VMA), %eax
	mov	%eax, %cr3
	mov	$MSR_EFER, %ecx
	rdmsr
	or	$(EFER_LME | EFER_NXE | EFER_SCE), %eax
	wrmsr
	mov	%cr0, %eax
	or	$(CR0_PG | CR0_PE | CR0_WP), %eax
	mov	%eax, %cr0
	ljmp	$KERNEL_CS, $(pvh_long_mode - KERNEL_VMA)

	.code64
pvh_long_mode:
	movabs	$1f, %rax
	jmp	*%rax
1:	mov	%esi, %ebx		/* zero-extends: rbx = boot info GPA */
	jmp	_start

/* ------------------------------------------------------------- 64-bit */
	.section .text.boot, "ax"
	.globl _start
_start:
	mov	$PHASE_FIRST_INSTRUCTION, %eax
	mov	$PORT_PHASE, %edx
	out	%eax, (%dx)
	lea	boot_stack_top(%rip), %rsp
	/* A one-gate IDT (#GP) so that the RDMSR probe survives on KVM hosts
	 * without PVM, where the MSR does not exist. */
	lea	early_gp(%rip), %rax
	mov	%ax, early_idt + 13 * 16(%rip)
	shr	$16, %rax
	mov	%ax, early_idt + 13 * 16 + 6(%rip)
	shr	$16, %rax
	mov	%eax, early_idt + 13 * 16 + 8(%rip)
	lidt	early_idtr(%rip)
	/* Detect PVM by value: QEMU TCG reads unknown MSRs as 0. */
	mov	$MSR_PVM_SIGNATURE, %ecx
	xor	%eax, %eax
	rdmsr
	cmp	$PVM_SIGNATURE, %eax
	jne	2f
	lea	pvm_vif_page(%rip), %rax
	movabs	$KERNEL_VMA, %rdx
	sub	%rdx, %rax
	or	$(PVM_VIF_FLAGS | PVM_VIF_ENABLE), %rax
	xor	%edx, %edx
	mov	$MSR_PVM_VIF, %ecx
	wrmsr
	/* From here on the vCPU runs natively, in hardware ring 3. */
	movb	$1, g_platform_pvm(%rip)
2:	mov	%rbx, %rdi
	call	boot_main64
3:	hlt
	jmp	3b

early_gp:
	addq	$2, 8(%rsp)		/* skip the 2-byte RDMSR; eax stays 0 */
	add	$8, %rsp		/* error code */
	iretq

/* --------------------------------------------------------------- data */
	.section .data.boot, "aw"
	.balign 16
early_idtr:
	.word	256 * 16 - 1
	.quad	early_idt
pvh_gdt_descriptor:
	.word	pvh_gdt_end - pvh_gdt - 1
	.long	pvh_gdt - KERNEL_VMA
	.balign 16
pvh_gdt:
	.quad	0, 0
	.quad	0x00af9b000000ffff	/* 0x10 kernel code, 64-bit */
	.quad	0x00cf93000000ffff	/* 0x18 kernel data */
pvh_gdt_end:

	.balign 4096
early_idt:
	.fill	13 * 16, 1, 0
	.word	0, KERNEL_CS, 0x8e00, 0	/* #GP: offset patched in _start */
	.long	0, 0
	.fill	(256 - 14) * 16, 1, 0

	.balign 4096
pvh_pml4:
	.quad	pvh_pdpt_low - KERNEL_VMA + 3
	.fill	510, 8, 0
	.quad	pvh_pdpt_high - KERNEL_VMA + 3
pvh_pdpt_low:
	.quad	pvh_pd - KERNEL_VMA + 3
	.fill	511, 8, 0
pvh_pdpt_high:
	.fill	510, 8, 0
	.quad	pvh_pd - KERNEL_VMA + 3
	.quad	0

	.section .bss.boot, "aw", @nobits
	.balign 4096
pvh_pd:
	.space	4096
	.globl pvm_vif_page
pvm_vif_page:				/* struct PvmVif, registered with the host */
	.space	4096
	.globl boot_stack_guard, boot_stack_bottom, boot_stack_top
boot_stack_guard:			/* left unmapped by paging_init */
	.space	4096
boot_stack_bottom:
	.space	16384
boot_stack_top:

	.section .note.GNU-stack, "", @progbits
