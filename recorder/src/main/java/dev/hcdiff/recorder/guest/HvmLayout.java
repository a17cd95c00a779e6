package dev.hcdiff.recorder.guest;

import dev.hcdiff.recorder.vmm.GuestRam;

import java.util.List;

/**
 * The guest-physical layout of a firmware or PVH boot, as libxc/libxl's HVM domain builder lays
 * out a new domain and as the Xen model's {@code xen.domain=xl-hvm} state assumes it (the
 * recorder/model contract of issue 3). Every address cites where Xen defines it.
 *
 * <pre>
 * [0, memory)                 low RAM: the ELF image, hvm_info_table at 0x9F800 (firmware),
 *                             hvm_start_info above the image
 * [memory, 0xFC000000)        MMIO hole: served by the backend (MmioRead/MmioWrite)
 * [0xFC000000, 0xFE000000)    RAM: hvmloader's reserved area, where mem_alloc() has pages
 *                             populated upwards from 0xFC100000 (XENMEM_populate_physmap: the
 *                             SMBIOS tables, later ACPI) and mem_hole_alloc() maps shared_info
 *                             downwards from 0xFE000000 (gpfn 0xFDFFF)
 * [0xFE000000, 0xFEFF0000)    MMIO hole (IOAPIC 0xFEC00000, LAPIC 0xFEE00000)
 * [0xFEFF0000, 0xFF000000)    RAM: the special pages (xenstore, console, identity page table …)
 * [0xFF000000, 4 GiB)         MMIO hole
 * 4 GiB and above             not the guest's: BAD_ACCESS
 * </pre>
 *
 * <p>Deliberate differences from Xen, invisible to hvmloader: the two high regions are RAM from
 * the start (under Xen, [0xFC000000, 0xFE000000) holds nothing until the guest populates or
 * maps a page there, so an earlier read would see the null handler's all-ones); low RAM
 * includes the VGA hole 0xA0000-0xBFFFF that Xen leaves unpopulated; and the recorder does not
 * follow p2m changes (a page moved with XENMEM_add_to_physmap(gmfn) stays where KVM maps it).
 */
public final class HvmLayout {

    private HvmLayout() {
    }

    /** {@code xen/include/public/hvm/hvm_info_table.h}: HVM_INFO_PFN 0x09F. */
    public static final long HVM_INFO_PFN = 0x9F;
    /** {@code hvm_info_table.h}: HVM_INFO_OFFSET 0x800. */
    public static final long HVM_INFO_OFFSET = 0x800;
    /** {@code hvm_info_table.h}: HVM_INFO_PADDR = (HVM_INFO_PFN << 12) + HVM_INFO_OFFSET = 0x9F800. */
    public static final long HVM_INFO_PADDR = (HVM_INFO_PFN << 12) + HVM_INFO_OFFSET;
    /** The page libxc's {@code build_hvm_info()} zeroes before writing the table (0x9F000). */
    public static final long HVM_INFO_PAGE = HVM_INFO_PFN << 12;

    /**
     * {@code tools/firmware/hvmloader/config.h}: RESERVED_MEMBASE 0xFC000000, the start of
     * hvmloader's reserved area (ACPI_INFO_PHYSICAL_ADDRESS, then mem_alloc() from
     * RESERVED_MEMORY_DYNAMIC_START 0xFC100000 upwards).
     */
    public static final long RESERVED_MEMBASE = 0xFC00_0000L;
    /**
     * {@code config.h}: RESERVED_MEMORY_DYNAMIC_END 0xFE000000, where {@code mem_hole_alloc()}
     * starts allocating downwards (util.c); shared_info lands at 0xFDFFF.
     */
    public static final long RESERVED_MEMORY_DYNAMIC_END = 0xFE00_0000L;

    /** {@code tools/include/xenguest.h}: X86_HVM_END_SPECIAL_REGION 0xff000 (a pfn). */
    public static final long X86_HVM_END_SPECIAL_REGION = 0xFF000;
    /** {@code xenguest.h}: X86_HVM_NR_SPECIAL_PAGES 8. */
    public static final long X86_HVM_NR_SPECIAL_PAGES = 8;
    /** {@code tools/libs/guest/xg_dom_x86.c}: NR_IOREQ_SERVER_PAGES 8, just below the special pages. */
    public static final long NR_IOREQ_SERVER_PAGES = 8;
    /** {@code xg_dom_x86.c}: special_pfn(0) = 0xFEFF8. */
    public static final long SPECIAL_PFN_0 = X86_HVM_END_SPECIAL_REGION - X86_HVM_NR_SPECIAL_PAGES;
    /** {@code xg_dom_x86.c}: ioreq_server_pfn(0) = 0xFEFF0, also hvm_info's reserved_mem_pgstart. */
    public static final long IOREQ_SERVER_PFN_0 = SPECIAL_PFN_0 - NR_IOREQ_SERVER_PAGES;
    /** {@code xg_dom_x86.c}: SPECIALPAGE_IDENT_PT 6 → special_pfn(6) = 0xFEFFE. */
    public static final long IDENT_PT_PFN = SPECIAL_PFN_0 + 6;
    /** [0xFEFF0000, 0xFF000000): the ioreq-server and special pages. */
    public static final long SPECIAL_BASE = IOREQ_SERVER_PFN_0 << 12;
    public static final long SPECIAL_END = X86_HVM_END_SPECIAL_REGION << 12;

    /**
     * {@code tools/libs/light/libxl_x86.c}: GUEST_LOW_MEM_START_DEFAULT 0x100000, where the e820's
     * low RAM starts when the domain has a device model (every xl HVM domain).
     */
    public static final long GUEST_LOW_MEM_START_DEFAULT = 0x10_0000;
    /** {@code xen/include/public/hvm/e820.h}: HVM_BELOW_4G_RAM_END 0xF0000000. */
    public static final long HVM_BELOW_4G_RAM_END = 0xF000_0000L;

    /** {@code xen/include/public/arch-x86/hvm/start_info.h}: XEN_HVM_MEMMAP_TYPE_RAM 1. */
    public static final int MEMMAP_TYPE_RAM = 1;
    /** {@code start_info.h}: XEN_HVM_MEMMAP_TYPE_RESERVED 2. */
    public static final int MEMMAP_TYPE_RESERVED = 2;

    /**
     * Identity page-table entry flags libxc's {@code alloc_magic_pages_hvm()} writes into the
     * IDENT_PT page: _PAGE_PRESENT|_PAGE_RW|_PAGE_USER|_PAGE_ACCESSED|_PAGE_DIRTY|_PAGE_PSE
     * (bits 0, 1, 2, 5, 6, 7; Intel SDM vol. 3 §4.3 table 4-4), one 4 MiB page per entry.
     */
    public static final int IDENT_PT_FLAGS = 0x1 | 0x2 | 0x4 | 0x20 | 0x40 | 0x80;

    /** Low RAM plus the two high regions, for a firmware or PVH boot with {@code memory} bytes. */
    public static List<GuestRam.Region> hvmRegions(long memory) {
        return List.of(new GuestRam.Region(0, memory),
                new GuestRam.Region(RESERVED_MEMBASE, RESERVED_MEMORY_DYNAMIC_END - RESERVED_MEMBASE),
                new GuestRam.Region(SPECIAL_BASE, SPECIAL_END - SPECIAL_BASE));
    }
}
