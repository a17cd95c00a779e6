/* Test guest: loads an empty IDT and raises #UD; #UD cannot be delivered, nor can the #GP and
 * #DF that follow, so the CPU shuts down (triple fault, Intel SDM vol. 3 §6.15 "Double Fault"). */
	.section .text.start, "ax"
	.code64
	.globl _start
_start:
	lidt	empty_idt(%rip)
	ud2
	hlt

	.section .rodata
empty_idt:
	.word	0		/* limit 0: no vector is present */
	.quad	0
