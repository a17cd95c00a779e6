/* Test guest: spins for ever without a single exit; the watchdog must stop it. */
	.section .text.start, "ax"
	.code64
	.globl _start
_start:
1:	jmp	1b
