/*
 * Test guest, ELF32: a Hyper-V guest in flat 32-bit protected mode at CPL 0. It sets a guest OS
 * id, enables the hypercall page (HV_X64_MSR_HYPERCALL 0x40000001, TLFS "Establishing the
 * Hypercall Interface") and calls it with HvCallNotifyLongSpinWait in the x86 register mapping
 * (input value EDX:EAX). Legal per the TLFS, but the trace has only the x64 convention: the
 * recorder must stop it with that reason instead of decoding 32-bit registers as x64 ones.
 */
	.code32
	.text
	.globl _start
_start:
	mov	$0x40000000, %ecx	/* HV_X64_MSR_GUEST_OS_ID */
	mov	$1, %eax
	mov	$0x80000000, %edx	/* open-source id, bit 63 */
	wrmsr
	mov	$0x40000001, %ecx	/* HV_X64_MSR_HYPERCALL */
	mov	$hypercall_page + 1, %eax	/* GPA | enable */
	xor	%edx, %edx
	wrmsr
	xor	%edx, %edx
	mov	$0x10008, %eax		/* HvCallNotifyLongSpinWait, fast */
	call	hypercall_page
1:	hlt
	jmp	1b

	.data
	.balign	4096
hypercall_page:
	.fill	4096, 1, 0
