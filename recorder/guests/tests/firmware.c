/*
 * Test guest for the FIRMWARE boot (ELF32, entered as libxc enters hvmloader): reports on the
 * 0xE9 console what it was given and what it saw, one line per check, for the recorder's
 * FirmwareBootTest:
 *   - EBX: hvm_start_info (magic, version, modules, the e820 copy);
 *   - the hvm_info_table at 0x9F800 (signature, byte sum, vCPUs, memory fields);
 *   - CR0 and EFLAGS.IF at entry (xg_dom_x86.c vcpu_hvm(): CR0 = PE|ET, IF clear);
 *   - entry 1 of the identity page table libxc leaves in the IDENT_PT special page;
 *   - Xen's CPUID leaves and the hypercall page, then 32-bit hypercalls;
 *   - MMIO: the LAPIC version register, an SVR write, an address nothing claims;
 *   - a page the backend owns once mapped (XENMEM_add_to_physmap of shared_info at 0xFDFFF,
 *     as hvmloader maps it): it changes two separate runs of bytes there between two calls.
 * Then sched_op(SCHEDOP_shutdown, poweroff).
 */
#include "console.h"
#include "hvm.h"
#include "xen.h"

/* The local APIC's default base (Intel SDM vol. 3 §11.4.1) and registers (table 11-1). */
#define LAPIC_BASE      0xFEE00000u
#define LAPIC_VERSION   0x30u
#define LAPIC_SVR       0xF0u
/* HVM_BELOW_4G_MMIO_START (xen/include/public/hvm/e820.h): the PCI hole, empty without devices. */
#define ABSENT_MMIO     0xF0000000u
/* xg_dom_x86.c: special_pfn(SPECIALPAGE_IDENT_PT) = 0xFEFFE, a page of 4 MiB identity PDEs. */
#define IDENT_PT        0xFEFFE000u
/* hvmloader's mem_hole_alloc(1): the page below RESERVED_MEMORY_DYNAMIC_END 0xFE000000. */
#define SHARED_INFO_PFN 0xFDFFFu

/* Saved by kit/start32.S before it touches anything. */
extern unsigned int kit_entry_cr0, kit_entry_eflags;

static inline unsigned int mmio_read32(unsigned int addr)
{
	return *(volatile unsigned int *)addr;
}

static inline void mmio_write32(unsigned int addr, unsigned int v)
{
	*(volatile unsigned int *)addr = v;
}

static void report_start_info(const struct hvm_start_info *si)
{
	printf("start_info 0x%x magic 0x%x version %u modules %u memmap %u\n", (unsigned int)si, si->magic,
	       si->version, si->nr_modules, si->memmap_entries);
	if (si->memmap_entries) {
		const struct hvm_memmap_table_entry *e = (const void *)(unsigned int)si->memmap_paddr;
		printf("memmap[0] 0x%x+0x%x type %u\n", (unsigned int)e->addr, (unsigned int)e->size, e->type);
	}
}

static void report_hvm_info(void)
{
	const struct hvm_info_table *t = (const void *)HVM_INFO_PADDR;
	static const char sig[8] = "HVM INFO";
	for (int i = 0; i < 8; i++) {
		if (t->signature[i] != sig[i]) {
			printf("hvm_info signature missing\n");
			return;
		}
	}
	unsigned char sum = 0;
	for (unsigned int i = 0; i < t->length && i < 4096; i++)
		sum += ((const unsigned char *)t)[i];
	printf("hvm_info length %u sum %u apic %u vcpus %u low 0x%x reserved 0x%x high 0x%x online 0x%x\n",
	       t->length, sum, t->apic_mode, t->nr_vcpus, t->low_mem_pgend, t->reserved_mem_pgstart,
	       t->high_mem_pgend, t->vcpu_online[0]);
}

void guest_main(struct hvm_start_info *si)
{
	report_start_info(si);
	report_hvm_info();
	printf("cr0 0x%x if %u\n", kit_entry_cr0, (kit_entry_eflags >> 9) & 1);
	printf("ident_pt[1] 0x%x\n", ((volatile unsigned int *)IDENT_PT)[1]);

	unsigned int base = xen_init();
	printf("xen leaves at 0x%x\n", base);
	if (!base)
		return;
	printf("xen_version 0x%lx\n", HYPERVISOR_xen_version(XENVER_version, 0));

	printf("lapic version 0x%x\n", mmio_read32(LAPIC_BASE + LAPIC_VERSION));
	mmio_write32(LAPIC_BASE + LAPIC_SVR, 0x1FF);
	printf("absent mmio 0x%x\n", mmio_read32(ABSENT_MMIO));

	struct xen_add_to_physmap xatp = {
		.domid = DOMID_SELF, .space = XENMAPSPACE_shared_info, .idx = 0, .gpfn = SHARED_INFO_PFN,
	};
	long rc = HYPERVISOR_memory_op(XENMEM_add_to_physmap, &xatp);
	volatile unsigned char *page = (volatile unsigned char *)(SHARED_INFO_PFN << 12);
	printf("add_to_physmap %ld first byte 0x%x\n", rc, page[0]);
	/* Two separate runs, between two calls: the recorder serves each as a GuestWrite. */
	page[0] = 0x6d;
	page[0x800] = 0x5a;
	page[0x801] = 0xa5;
	HYPERVISOR_xen_version(XENVER_version, 0);
	printf("owned page written\n");

	struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &off);
	printf("sched_op(SCHEDOP_shutdown) returned\n");
}

