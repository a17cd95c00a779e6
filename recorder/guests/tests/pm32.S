/*
 * Test guest, ELF32: runs in flat 32-bit protected mode (ProtectedModeBoot) and uses Xen's
 * 32-bit convention (xen/arch/x86/hvm/hypercall.c: nr in eax, args ebx ecx edx esi edi):
 * installs the hypercall page at CPUID 0x40000000's MSR, calls xen_version(XENVER_version),
 * prints "pm32\n" on 0xE9, then sched_op(SCHEDOP_shutdown, {SHUTDOWN_poweroff}).
 */
	.code32
	.text
	.globl _start
_start:
	mov	$0x40000002, %eax	/* CPUID base+2: EBX = hypercall-page MSR */
	xor	%ecx, %ecx
	cpuid
	mov	%ebx, %ecx
	mov	$hypercall_page, %eax
	xor	%edx, %edx
	wrmsr
	xor	%ebx, %ebx		/* XENVER_version */
	xor	%ecx, %ecx
	call	hypercall_page + 17 * 32	/* __HYPERVISOR_xen_version */
	mov	$msg, %esi
1:	movb	(%esi), %al
	test	%al, %al
	jz	2f
	outb	%al, $0xe9
	inc	%esi
	jmp	1b
2:	mov	$2, %ebx		/* SCHEDOP_shutdown */
	mov	$reason, %ecx
	call	hypercall_page + 29 * 32	/* __HYPERVISOR_sched_op */
3:	hlt
	jmp	3b

msg:	.asciz	"pm32\n"

	.data
reason:	.long	0		/* SHUTDOWN_poweroff */
	.balign	4096
hypercall_page:
	.fill	4096, 1, 0
