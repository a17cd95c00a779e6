#include "xen.h"

/* The hypercall page: Xen (or the VMM standing in for it) fills it when we write its address
 * to the MSR named by CPUID base+2 EBX. */
char hypercall_page[4096] __attribute__((aligned(4096)));

/* "XenVMMXenVMM" in EBX, ECX, EDX of leaf base+0 (xen/include/public/arch-x86/cpuid.h). */
#define XEN_CPUID_SIGNATURE_EBX 0x566e6558u
#define XEN_CPUID_SIGNATURE_ECX 0x65584d4du
#define XEN_CPUID_SIGNATURE_EDX 0x4d4d566eu
/* Hypervisor leaves live at 0x40000000 + n*0x100 (Xen moves to 0x40000100 under Viridian). */
#define CPUID_HV_FIRST 0x40000000u
#define CPUID_HV_LAST  0x40010000u
#define CPUID_HV_STEP  0x100u

static inline void cpuid(unsigned int leaf, unsigned int *a, unsigned int *b, unsigned int *c, unsigned int *d)
{
	asm volatile("cpuid" : "=a"(*a), "=b"(*b), "=c"(*c), "=d"(*d) : "a"(leaf), "c"(0));
}

static inline void wrmsr(unsigned int msr, unsigned long long value)
{
	asm volatile("wrmsr" : : "c"(msr), "a"((unsigned int)value), "d"((unsigned int)(value >> 32)) : "memory");
}

unsigned int xen_init(void)
{
	unsigned int a, b, c, d;
	for (unsigned int base = CPUID_HV_FIRST; base < CPUID_HV_LAST; base += CPUID_HV_STEP) {
		cpuid(base, &a, &b, &c, &d);
		/* Leaf base+2 must exist: it names the hypercall-page MSR. */
		if (b == XEN_CPUID_SIGNATURE_EBX && c == XEN_CPUID_SIGNATURE_ECX && d == XEN_CPUID_SIGNATURE_EDX
		    && a - base >= 2) {
			unsigned int pages, msr;
			cpuid(base + 2, &pages, &msr, &c, &d);
			/* Page 0 of the hypercall area: address | page index 0. */
			wrmsr(msr, (unsigned long)hypercall_page);
			return base;
		}
	}
	return 0;
}
