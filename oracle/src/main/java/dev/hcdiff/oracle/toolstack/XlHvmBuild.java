package dev.hcdiff.oracle.toolstack;

import java.util.Collections;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What libxc's HVM domain builder and libxl give a new {@code type = "hvm"} or {@code type = "pvh"}
 * domain of {@code memoryBytes} of low RAM, before its first instruction (issue 3's recorder/model
 * contract): the populated frames, the special pages, the HVM params, the two event channels to
 * dom0, the e820 and the page counts. Personalities that present Xen (the reference model, the
 * Xen-to-Hyper-V adapter) start their domain from it, so both see the same machine.
 *
 * <p>{@link Type#HVM}: libxl builds every HVM domain for a device model
 * ({@code libxl__build_hvm()}: {@code device_model = info->type == LIBXL_DOMAIN_TYPE_HVM}): low RAM
 * without the VGA hole, the e820's RAM starting at 1 MiB, and eight ioreq-server pages below the
 * special pages. The device model itself is not running here (no ioreq server is registered with
 * Xen), so every access Xen does not emulate reaches the null handler.
 *
 * <p>{@link Type#PVH}: no device model: all of low RAM populated, the e820's RAM from 0 and the
 * special pages reserved in it, no ioreq-server pages. libxl also builds ACPI tables for every PVH
 * domain ({@code libxl__arch_domain_finalise_hw_description()} → {@code libxl__dom_load_acpi()}:
 * pages at ACPI_INFO_PHYSICAL_ADDRESS 0xFC000000 and three E820_ACPI entries); neither the recorder
 * nor the model builds them, so neither the frames nor the entries are here.
 *
 * <p>Sources (Xen 4.17.7): {@code tools/libs/guest/xg_dom_x86.c} ({@code meminit_hvm()},
 * {@code alloc_magic_pages_hvm()}, {@code special_pfn()}, {@code ioreq_server_pfn()}),
 * {@code tools/include/xenguest.h}, {@code tools/libs/light/libxl_dom.c} ({@code libxl__build_pre()},
 * {@code libxl__build_hvm()}), {@code tools/libs/light/libxl_x86.c} ({@code domain_construct_memmap()},
 * {@code hvm_set_conf_params()}).
 *
 * @param domid       the domain's id
 * @param memoryBytes low RAM, page-aligned, at most 0xF0000000
 * @param vcpus       vCPUs (cpu/N/availability in xenstore)
 * @param uuid        the domain handle as text (the /vm/ path)
 * @param type        libxl's domain type
 */
public record XlHvmBuild(int domid, long memoryBytes, int vcpus, String uuid, Type type) {

    /** libxl_domain_type: the two types built with the HVM container. */
    public enum Type {
        /** LIBXL_DOMAIN_TYPE_HVM: firmware (hvmloader) boots. */
        HVM,
        /** LIBXL_DOMAIN_TYPE_PVH: a kernel entered at its PVH entry point. */
        PVH
    }

    /** xenguest.h X86_HVM_END_SPECIAL_REGION: the pfn after the special pages. */
    public static final long X86_HVM_END_SPECIAL_REGION = 0xFF000;
    /** xenguest.h X86_HVM_NR_SPECIAL_PAGES. */
    public static final int X86_HVM_NR_SPECIAL_PAGES = 8;
    /** xg_dom_x86.c special_pfn(0) = X86_HVM_END_SPECIAL_REGION - X86_HVM_NR_SPECIAL_PAGES = 0xFEFF8. */
    public static final long SPECIAL_PFN_0 = X86_HVM_END_SPECIAL_REGION - X86_HVM_NR_SPECIAL_PAGES;
    /** xg_dom_x86.c NR_IOREQ_SERVER_PAGES: populated for a domain with a device model only. */
    public static final int NR_IOREQ_SERVER_PAGES = 8;
    /** xg_dom_x86.c ioreq_server_pfn(0) = special_pfn(0) - NR_IOREQ_SERVER_PAGES = 0xFEFF0. */
    public static final long IOREQ_SERVER_PFN_0 = SPECIAL_PFN_0 - NR_IOREQ_SERVER_PAGES;
    /** xg_dom_x86.c SPECIALPAGE_PAGING 0. */
    public static final int SPECIALPAGE_PAGING = 0;
    /** xg_dom_x86.c SPECIALPAGE_ACCESS 1. */
    public static final int SPECIALPAGE_ACCESS = 1;
    /** xg_dom_x86.c SPECIALPAGE_SHARING 2. */
    public static final int SPECIALPAGE_SHARING = 2;
    /** xg_dom_x86.c SPECIALPAGE_BUFIOREQ 3. */
    public static final int SPECIALPAGE_BUFIOREQ = 3;
    /** xg_dom_x86.c SPECIALPAGE_XENSTORE 4. */
    public static final int SPECIALPAGE_XENSTORE = 4;
    /** xg_dom_x86.c SPECIALPAGE_IOREQ 5. */
    public static final int SPECIALPAGE_IOREQ = 5;
    /** xg_dom_x86.c SPECIALPAGE_IDENT_PT 6. */
    public static final int SPECIALPAGE_IDENT_PT = 6;
    /** xg_dom_x86.c SPECIALPAGE_CONSOLE 7. */
    public static final int SPECIALPAGE_CONSOLE = 7;

    /**
     * The VGA hole meminit_hvm() leaves unpopulated when the domain has a device model: pfns
     * [0xA0, 0xC0) ("skipping VGA hole 0xA0000-0xC0000"; libxl_internal.h LIBXL_VGA_HOLE_SIZE 0x20).
     */
    public static final long VGA_HOLE_START = 0xA0;
    /** End of the VGA hole (pfn). */
    public static final long VGA_HOLE_END = 0xC0;
    /**
     * libxl_x86.c GUEST_LOW_MEM_START_DEFAULT: where domain_construct_memmap() starts the e820's
     * low RAM for a domain with a device model (0 without one).
     */
    public static final long GUEST_LOW_MEM_START_DEFAULT = 0x100000;

    /**
     * libxl_internal.h LIBXL_MAXMEM_CONSTANT (1024 KiB): libxl__build_pre() sets max_pages to
     * target_memkb + this (libxl__arch_extra_memory() on x86), here 256 pages.
     */
    public static final long LIBXL_MAXMEM_CONSTANT_PAGES = 1024 / 4;

    /**
     * The ports libxl__build_pre() allocates with xc_evtchn_alloc_unbound() towards dom0, store
     * first: the lowest free ports of a fresh domain (port 0 is reserved), so 1 and 2.
     */
    public static final int STORE_PORT = 1;
    /** See {@link #STORE_PORT}. */
    public static final int CONSOLE_PORT = 2;

    /** tools/include/xenctrl.h E820_RAM. */
    public static final int E820_RAM = 1;
    /** tools/include/xenctrl.h E820_RESERVED. */
    public static final int E820_RESERVED = 2;

    /** HVM params (xen/include/public/hvm/params.h numbers) set by the builder. */
    private static final int HVM_PARAM_STORE_PFN = 1;
    private static final int HVM_PARAM_STORE_EVTCHN = 2;
    private static final int HVM_PARAM_IOREQ_PFN = 5;
    private static final int HVM_PARAM_BUFIOREQ_PFN = 6;
    private static final int HVM_PARAM_TIMER_MODE = 10;
    private static final int HVM_PARAM_HPET_ENABLED = 11;
    private static final int HVM_PARAM_IDENT_PT = 12;
    private static final int HVM_PARAM_VPT_ALIGN = 16;
    private static final int HVM_PARAM_CONSOLE_PFN = 17;
    private static final int HVM_PARAM_CONSOLE_EVTCHN = 18;
    private static final int HVM_PARAM_PAGING_RING_PFN = 27;
    private static final int HVM_PARAM_MONITOR_RING_PFN = 28;
    private static final int HVM_PARAM_SHARING_RING_PFN = 29;
    private static final int HVM_PARAM_IOREQ_SERVER_PFN = 32;
    private static final int HVM_PARAM_NR_IOREQ_SERVER_PAGES = 33;
    private static final int PAGE_SHIFT = 12;

    public XlHvmBuild {
        if (memoryBytes < (VGA_HOLE_END << PAGE_SHIFT) || (memoryBytes & 0xfff) != 0 || memoryBytes > 0xF000_0000L) {
            throw new IllegalArgumentException("an xl HVM domain needs page-aligned low RAM in [0xc0000, 0xf0000000], got "
                    + memoryBytes);
        }
        if (vcpus < 1) {
            throw new IllegalArgumentException("an xl HVM domain needs at least one vCPU, got " + vcpus);
        }
        if (type == null) {
            throw new IllegalArgumentException("an xl domain needs a type (hvm or pvh)");
        }
        if (type == Type.HVM && memoryBytes < GUEST_LOW_MEM_START_DEFAULT) {
            throw new IllegalArgumentException("an xl HVM domain's e820 starts at 1 MiB: it needs at least 0x100000 bytes"
                    + " of low RAM, got " + memoryBytes);
        }
    }

    /** An {@link Type#HVM} domain (the firmware boot). */
    public XlHvmBuild(int domid, long memoryBytes, int vcpus, String uuid) {
        this(domid, memoryBytes, vcpus, uuid, Type.HVM);
    }

    /** {@code dom->device_model} in libxl__build_hvm(): true for HVM, false for PVH. */
    public boolean deviceModel() {
        return type == Type.HVM;
    }

    /** {@code special_pfn(x)} of xg_dom_x86.c. */
    public static long specialPfn(int x) {
        return SPECIAL_PFN_0 + x;
    }

    /** HVM_PARAM_STORE_PFN: the xenstore ring's frame, 0xFEFFC. */
    public long storePfn() {
        return specialPfn(SPECIALPAGE_XENSTORE);
    }

    /** HVM_PARAM_CONSOLE_PFN: the console ring's frame, 0xFEFFF. */
    public long consolePfn() {
        return specialPfn(SPECIALPAGE_CONSOLE);
    }

    /** The last low-RAM pfn + 1 ({@code lowmem_end >> PAGE_SHIFT}). */
    public long lowmemEndPfn() {
        return memoryBytes >>> PAGE_SHIFT;
    }

    /**
     * The populated frames as [start, end) pfn pairs, ascending: low RAM (meminit_hvm(): without
     * the VGA hole when there is a device model), the ioreq-server pages (device model only) and
     * the eight special pages (alloc_magic_pages_hvm()).
     */
    public List<long[]> populatedRanges() {
        if (deviceModel()) {
            return List.of(new long[] {0, VGA_HOLE_START}, new long[] {VGA_HOLE_END, lowmemEndPfn()},
                    new long[] {IOREQ_SERVER_PFN_0, X86_HVM_END_SPECIAL_REGION});
        }
        return List.of(new long[] {0, lowmemEndPfn()}, new long[] {SPECIAL_PFN_0, X86_HVM_END_SPECIAL_REGION});
    }

    /** {@code d->tot_pages} after the build: the populated frames. */
    public long totPages() {
        long tot = 0;
        for (long[] r : populatedRanges()) {
            tot += r[1] - r[0];
        }
        return tot;
    }

    /** {@code d->max_pages}: xc_domain_setmaxmem(target_memkb + LIBXL_MAXMEM_CONSTANT), video RAM 0. */
    public long maxPages() {
        return lowmemEndPfn() + LIBXL_MAXMEM_CONSTANT_PAGES;
    }

    /**
     * The params the builder sets, by index: alloc_magic_pages_hvm() (the special pfns, IDENT_PT
     * as a byte address; with a device model also IOREQ_SERVER_PFN and NR_IOREQ_SERVER_PAGES),
     * bootlate_hvm() (STORE_EVTCHN, CONSOLE_EVTCHN) and libxl_x86.c hvm_set_conf_params()
     * (TIMER_MODE = 1 no_delay_for_missed_ticks for both types, ALTP2M = 0 which leaves the param
     * as it was; HPET_ENABLED = 1 and VPT_ALIGN = 1 for HVM only).
     */
    public SortedMap<Integer, Long> params() {
        TreeMap<Integer, Long> p = new TreeMap<>();
        p.put(HVM_PARAM_STORE_PFN, storePfn());
        p.put(HVM_PARAM_STORE_EVTCHN, (long) STORE_PORT);
        p.put(HVM_PARAM_IOREQ_PFN, specialPfn(SPECIALPAGE_IOREQ));
        p.put(HVM_PARAM_BUFIOREQ_PFN, specialPfn(SPECIALPAGE_BUFIOREQ));
        p.put(HVM_PARAM_TIMER_MODE, 1L);
        p.put(HVM_PARAM_IDENT_PT, specialPfn(SPECIALPAGE_IDENT_PT) << PAGE_SHIFT);
        p.put(HVM_PARAM_CONSOLE_PFN, consolePfn());
        p.put(HVM_PARAM_CONSOLE_EVTCHN, (long) CONSOLE_PORT);
        p.put(HVM_PARAM_PAGING_RING_PFN, specialPfn(SPECIALPAGE_PAGING));
        p.put(HVM_PARAM_MONITOR_RING_PFN, specialPfn(SPECIALPAGE_ACCESS));
        p.put(HVM_PARAM_SHARING_RING_PFN, specialPfn(SPECIALPAGE_SHARING));
        if (deviceModel()) {
            p.put(HVM_PARAM_HPET_ENABLED, 1L);
            p.put(HVM_PARAM_VPT_ALIGN, 1L);
            p.put(HVM_PARAM_IOREQ_SERVER_PFN, IOREQ_SERVER_PFN_0);
            p.put(HVM_PARAM_NR_IOREQ_SERVER_PAGES, (long) NR_IOREQ_SERVER_PAGES);
        }
        return Collections.unmodifiableSortedMap(p);
    }

    /** One e820 entry as XENMEM_set_memory_map stores it. */
    public record E820(long addr, long size, int type) {
    }

    /**
     * domain_construct_memmap() with no RDM, all RAM below the MMIO hole and no ACPI modules (see
     * the class comment for PVH): low RAM from {@code lowmem_start} (GUEST_LOW_MEM_START_DEFAULT
     * with a device model, else 0) to lowmem_end; for PVH then the special pages as
     * E820_RESERVED ("Add the HVM special pages to PVH memmap as RESERVED").
     */
    public List<E820> e820() {
        if (deviceModel()) {
            return List.of(new E820(GUEST_LOW_MEM_START_DEFAULT, memoryBytes - GUEST_LOW_MEM_START_DEFAULT, E820_RAM));
        }
        return List.of(new E820(0, memoryBytes, E820_RAM),
                new E820(SPECIAL_PFN_0 << PAGE_SHIFT, (long) X86_HVM_NR_SPECIAL_PAGES << PAGE_SHIFT, E820_RESERVED));
    }
}
