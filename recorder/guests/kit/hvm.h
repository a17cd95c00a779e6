/*
 * What the domain builder hands a guest booted as HVM firmware or PVH: struct hvm_start_info
 * (xen/include/public/arch-x86/hvm/start_info.h) and struct hvm_info_table
 * (xen/include/public/hvm/hvm_info_table.h). Field types are fixed-width so the layout is the
 * same in 32- and 64-bit builds.
 */
#ifndef HCDIFF_HVM_H
#define HCDIFF_HVM_H

#define XEN_HVM_START_MAGIC_VALUE 0x336ec578u

struct hvm_start_info {
	unsigned int magic;
	unsigned int version;
	unsigned int flags;
	unsigned int nr_modules;
	unsigned long long modlist_paddr;
	unsigned long long cmdline_paddr;
	unsigned long long rsdp_paddr;
	unsigned long long memmap_paddr;
	unsigned int memmap_entries;
	unsigned int reserved;
};

struct hvm_memmap_table_entry {
	unsigned long long addr;
	unsigned long long size;
	unsigned int type;
	unsigned int reserved;
};

/* HVM_INFO_PFN 0x09F, HVM_INFO_OFFSET 0x800 */
#define HVM_INFO_PADDR 0x9F800u

struct hvm_info_table {
	char signature[8];                 /* "HVM INFO" */
	unsigned int length;
	unsigned char checksum;
	unsigned char apic_mode;
	unsigned int nr_vcpus;
	unsigned int low_mem_pgend;
	unsigned int reserved_mem_pgstart;
	unsigned int high_mem_pgend;
	unsigned char vcpu_online[16];     /* (HVM_MAX_VCPUS 128 + 7) / 8 */
};

#endif
