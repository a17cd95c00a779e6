/*
 * 32-bit guest kit entry, for guests booted the way libxc boots HVM firmware (FIRMWARE boot):
 * flat 32-bit protected mode, paging off, interrupts off, EBX = the hvm_start_info, no stack
 * (xg_dom_x86.c vcpu_hvm() leaves every other register 0). Sets a stack, saves EFLAGS and CR0
 * as they were at entry (kit_entry_eflags, kit_entry_cr0) and calls guest_main(start_info);
 * halts with interrupts off if it returns.
 */
	.section .text.start, "ax"
	.code32
	.globl _start
_start:
	mov	$kit_stack_top, %esp	/* a mov leaves EFLAGS alone */
	pushf
	popl	kit_entry_eflags
	mov	%cr0, %eax
	mov	%eax, kit_entry_cr0
	cli
	push	%ebx
	call	guest_main
1:	hlt
	jmp	1b

	.bss
	.balign	16
	.globl	kit_entry_eflags, kit_entry_cr0
kit_entry_eflags:
	.long	0
kit_entry_cr0:
	.long	0
kit_stack:
	.skip	16384
kit_stack_top:
