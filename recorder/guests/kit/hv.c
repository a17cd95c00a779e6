#include "hv.h"

char hv_hypercall_page[4096] __attribute__((aligned(4096)));

/* Faults the #GP handler absorbed; read around each access. */
volatile unsigned long hv_msr_faults;

/* 64-bit interrupt gate (Intel SDM vol. 3 §6.14.1): type 0xE, present, DPL 0. */
struct idt_gate {
	unsigned short offset_low;
	unsigned short selector;
	unsigned char ist;
	unsigned char type_attr;
	unsigned short offset_mid;
	unsigned int offset_high;
	unsigned int reserved;
};
#define IDT_INTERRUPT_GATE 0x8E
#define VECTOR_GP 13
static struct idt_gate idt[256] __attribute__((aligned(16)));

void hv_gp_entry(void);

/*
 * #GP entry. Stack on entry: error code, RIP, CS, RFLAGS, RSP, SS. A fault on rdmsr (0F 32)
 * or wrmsr (0F 30) is absorbed: RIP moves past the 2-byte instruction, a rdmsr reads 0 in
 * EDX:EAX, hv_msr_faults counts it. Any other #GP halts with interrupts off.
 */
asm(".text\n"
    ".globl hv_gp_entry\n"
    "hv_gp_entry:\n"
    "	pushq %rax\n"
    "	pushq %rbx\n"
    "	movq 24(%rsp), %rbx\n"        /* faulting RIP */
    "	movzwl (%rbx), %eax\n"
    "	cmpw $0x300f, %ax\n"          /* wrmsr */
    "	je 1f\n"
    "	cmpw $0x320f, %ax\n"          /* rdmsr */
    "	jne 9f\n"
    "	popq %rbx\n"
    "	popq %rax\n"
    "	xorl %eax, %eax\n"
    "	xorl %edx, %edx\n"
    "	jmp 2f\n"
    "1:	popq %rbx\n"
    "	popq %rax\n"
    "2:	lock incq hv_msr_faults(%rip)\n"
    "	addq $2, 8(%rsp)\n"
    "	addq $8, %rsp\n"              /* drop the error code */
    "	iretq\n"
    "9:	cli\n"
    "	hlt\n"
    "	jmp 9b\n");

void hv_set_interrupt_gate(unsigned int vector, void (*entry)(void))
{
	unsigned long handler = (unsigned long)entry;
	unsigned short cs;
	asm volatile("mov %%cs, %0" : "=r"(cs));
	idt[vector & 0xff] = (struct idt_gate){
		.offset_low = (unsigned short)handler,
		.selector = cs,
		.type_attr = IDT_INTERRUPT_GATE,
		.offset_mid = (unsigned short)(handler >> 16),
		.offset_high = (unsigned int)(handler >> 32),
	};
	struct __attribute__((packed)) {
		unsigned short limit;
		unsigned long base;
	} idtr = { sizeof idt - 1, (unsigned long)idt };
	asm volatile("lidt %0" : : "m"(idtr));
}

void hv_install_fault_handler(void)
{
	hv_set_interrupt_gate(VECTOR_GP, hv_gp_entry);
}

int hv_rdmsr(unsigned int msr, unsigned long long *value)
{
	unsigned long before = hv_msr_faults;
	unsigned int lo, hi;
	asm volatile("rdmsr" : "=a"(lo), "=d"(hi) : "c"(msr) : "memory");
	*value = (unsigned long long)hi << 32 | lo;
	return hv_msr_faults != before;
}

int hv_wrmsr(unsigned int msr, unsigned long long value)
{
	unsigned long before = hv_msr_faults;
	unsigned int lo = (unsigned int)value, hi = (unsigned int)(value >> 32);
	/* The handler leaves EAX/EDX alone on a wrmsr, but say they may change anyway. */
	asm volatile("wrmsr" : "+a"(lo), "+d"(hi) : "c"(msr) : "memory");
	return hv_msr_faults != before;
}
