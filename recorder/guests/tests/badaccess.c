/*
 * Test guest: maps the 2 MiB guest-physical page at 4 GiB (above the MMIO hole, where nothing is
 * the guest's) at linear 0x3fe00000 in its own page tables and writes to it. KVM has no memory
 * there, so it exits with KVM_EXIT_MMIO and the recorder must stop the guest as BAD_ACCESS
 * without touching host memory.
 */
#include "console.h"

#define PAGE_MASK 0x000ffffffffff000ul   /* physical-address bits 51:12 of a paging entry */
#define PDE_P_RW_PS 0x83ul                /* present | writable | 2 MiB page (Intel SDM vol. 3 §4.5) */
#define OUTSIDE 0x3fe00000ul              /* linear: PD entry 511 of the first GiB */
#define FOUR_GIB 0x100000000ul            /* physical: the first byte above the 32-bit space */

void guest_main(unsigned long arg)
{
	(void)arg;
	unsigned long cr3;
	asm volatile("mov %%cr3, %0" : "=r"(cr3));
	unsigned long *pml4 = (unsigned long *)(cr3 & PAGE_MASK);
	unsigned long *pdpt = (unsigned long *)(pml4[0] & PAGE_MASK);
	unsigned long *pd = (unsigned long *)(pdpt[0] & PAGE_MASK);
	pd[511] = FOUR_GIB | PDE_P_RW_PS;
	asm volatile("invlpg (%0)" : : "r"(OUTSIDE) : "memory");
	console_puts("writing outside RAM\n");
	*(volatile unsigned int *)OUTSIDE = 0xdeadbeef;
	console_puts("write outside RAM returned\n");
}
