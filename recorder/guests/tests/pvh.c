/*
 * Test guest for the PVH boot (docs/misc/pvh.pandoc): an ELF32 image whose
 * XEN_ELFNOTE_PHYS32_ENTRY note names the kit's _start, while e_entry names pvh_wrong_entry,
 * which only complains: a loader that ignores the note is caught. Reports on 0xE9 what it was
 * given (hvm_start_info with the command line and the e820 copy, no hvm_info_table, CR0 and
 * EFLAGS.IF at entry), calls xen_version through the hypercall page, then powers off.
 */
#include "console.h"
#include "hvm.h"
#include "xen.h"

/* Saved by kit/start32.S before it touches anything. */
extern unsigned int kit_entry_cr0, kit_entry_eflags;

void guest_main(struct hvm_start_info *si)
{
	printf("pvh start_info magic 0x%x version %u modules %u memmap %u\n", si->magic, si->version,
	       si->nr_modules, si->memmap_entries);
	if (si->cmdline_paddr)
		printf("cmdline '%s'\n", (const char *)(unsigned int)si->cmdline_paddr);
	else
		printf("no cmdline\n");
	const struct hvm_memmap_table_entry *e = (const void *)(unsigned int)si->memmap_paddr;
	for (unsigned int i = 0; i < si->memmap_entries && i < 8; i++)
		printf("memmap[%u] 0x%x+0x%x type %u\n", i, (unsigned int)e[i].addr, (unsigned int)e[i].size, e[i].type);
	const struct hvm_info_table *t = (const void *)HVM_INFO_PADDR;
	printf("hvm_info %s\n", t->signature[0] == 'H' ? "present" : "absent");
	printf("cr0 0x%x if %u\n", kit_entry_cr0, (kit_entry_eflags >> 9) & 1);

	unsigned int base = xen_init();
	printf("xen leaves at 0x%x\n", base);
	if (!base)
		return;
	printf("xen_version 0x%lx\n", HYPERVISOR_xen_version(XENVER_version, 0));
	struct sched_shutdown off = { .reason = SHUTDOWN_poweroff };
	HYPERVISOR_sched_op(SCHEDOP_shutdown, &off);
	printf("sched_op(SCHEDOP_shutdown) returned\n");
}

/*
 * The Xen notes (xen/include/public/elfnote.h): XEN_ELFNOTE_GUEST_OS (6) first, so the loader has
 * to walk past a note it does not need, then XEN_ELFNOTE_PHYS32_ENTRY (18) = _start. Each note:
 * namesz, descsz, type, "Xen\0", descriptor padded to 4 bytes (gABI note layout).
 */
__asm__(
	"	.pushsection .note.Xen, \"a\", @note\n"
	"	.balign 4\n"
	"	.long 4, 7, 6\n"
	"	.asciz \"Xen\"\n"
	"	.asciz \"hcdiff\"\n"
	"	.balign 4\n"
	"	.long 4, 4, 18\n"
	"	.asciz \"Xen\"\n"
	"	.long _start\n"
	"	.popsection\n"
	/* e_entry (kit/pvh32.ld ENTRY): says so on 0xE9 and halts. */
	"	.text\n"
	"	.globl pvh_wrong_entry\n"
	"pvh_wrong_entry:\n"
	"	mov $wrong_msg, %esi\n"
	"1:	movb (%esi), %al\n"
	"	test %al, %al\n"
	"	jz 2f\n"
	"	outb %al, $0xe9\n"
	"	inc %esi\n"
	"	jmp 1b\n"
	"2:	cli\n"
	"	hlt\n"
	"	jmp 2b\n"
	"wrong_msg: .asciz \"entered at e_entry, not at XEN_ELFNOTE_PHYS32_ENTRY\\n\"\n");
