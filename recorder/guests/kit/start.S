/*
 * Guest kit entry. The VMM (LongModeBoot) enters here already in 64-bit long mode with identity
 * paging, RSP at the top of a 16-byte aligned stack and RDI = the guest argument, so this only
 * calls guest_main(arg) and halts for ever with interrupts off if it returns.
 */
	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	cli
	call	guest_main
1:	hlt
	jmp	1b
