package dev.hcdiff.oracle.xen.abi;

/**
 * Constants of {@code xen/include/public/memory.h} (Xen 4.17.7) and the memory_op limits of Xen
 * that the model needs. Names are Xen's, so a reader can grep Xen for them.
 */
public final class MemoryH {

    private MemoryH() {
    }

    /** memory.h XENMEM_increase_reservation. */
    public static final int XENMEM_increase_reservation = 0;
    /** memory.h XENMEM_decrease_reservation. */
    public static final int XENMEM_decrease_reservation = 1;
    /** memory.h XENMEM_maximum_ram_page. */
    public static final int XENMEM_maximum_ram_page = 2;
    /** memory.h XENMEM_current_reservation. */
    public static final int XENMEM_current_reservation = 3;
    /** memory.h XENMEM_maximum_reservation. */
    public static final int XENMEM_maximum_reservation = 4;
    /** memory.h XENMEM_machphys_mfn_list. */
    public static final int XENMEM_machphys_mfn_list = 5;
    /** memory.h XENMEM_populate_physmap. */
    public static final int XENMEM_populate_physmap = 6;
    /** memory.h XENMEM_add_to_physmap. */
    public static final int XENMEM_add_to_physmap = 7;
    /** memory.h XENMEM_memory_map. */
    public static final int XENMEM_memory_map = 9;
    /** memory.h XENMEM_machine_memory_map. */
    public static final int XENMEM_machine_memory_map = 10;
    /** memory.h XENMEM_exchange. */
    public static final int XENMEM_exchange = 11;
    /** memory.h XENMEM_machphys_mapping. */
    public static final int XENMEM_machphys_mapping = 12;
    /** memory.h XENMEM_set_memory_map. */
    public static final int XENMEM_set_memory_map = 13;
    /** memory.h XENMEM_maximum_gpfn. */
    public static final int XENMEM_maximum_gpfn = 14;
    /** memory.h XENMEM_remove_from_physmap. */
    public static final int XENMEM_remove_from_physmap = 15;
    /** memory.h XENMEM_set_pod_target. */
    public static final int XENMEM_set_pod_target = 16;
    /** memory.h XENMEM_get_pod_target. */
    public static final int XENMEM_get_pod_target = 17;
    /** memory.h XENMEM_get_sharing_freed_pages. */
    public static final int XENMEM_get_sharing_freed_pages = 18;
    /** memory.h XENMEM_get_sharing_shared_pages. */
    public static final int XENMEM_get_sharing_shared_pages = 19;
    /** memory.h XENMEM_paging_op. */
    public static final int XENMEM_paging_op = 20;
    /** memory.h XENMEM_access_op. */
    public static final int XENMEM_access_op = 21;
    /** memory.h XENMEM_sharing_op. */
    public static final int XENMEM_sharing_op = 22;
    /** memory.h XENMEM_add_to_physmap_batch. */
    public static final int XENMEM_add_to_physmap_batch = 23;
    /** memory.h XENMEM_claim_pages. */
    public static final int XENMEM_claim_pages = 24;
    /** memory.h XENMEM_machphys_compat_mfn_list. */
    public static final int XENMEM_machphys_compat_mfn_list = 25;
    /** memory.h XENMEM_get_vnumainfo. */
    public static final int XENMEM_get_vnumainfo = 26;
    /** memory.h XENMEM_reserved_device_memory_map. */
    public static final int XENMEM_reserved_device_memory_map = 27;
    /** memory.h XENMEM_acquire_resource. */
    public static final int XENMEM_acquire_resource = 28;

    /** memory.h MEMOP_EXTENT_SHIFT: cmd = op | start_extent &lt;&lt; 6. */
    public static final int MEMOP_EXTENT_SHIFT = 6;
    /** memory.h MEMOP_CMD_MASK. */
    public static final int MEMOP_CMD_MASK = (1 << MEMOP_EXTENT_SHIFT) - 1;

    /** memory.h XENMAPSPACE_shared_info. */
    public static final int XENMAPSPACE_shared_info = 0;
    /** memory.h XENMAPSPACE_grant_table. */
    public static final int XENMAPSPACE_grant_table = 1;
    /** memory.h XENMAPSPACE_gmfn. */
    public static final int XENMAPSPACE_gmfn = 2;
    /** memory.h XENMAPSPACE_gmfn_range (XENMEM_add_to_physmap only). */
    public static final int XENMAPSPACE_gmfn_range = 3;
    /** memory.h XENMAPSPACE_gmfn_foreign (XENMEM_add_to_physmap_batch only). */
    public static final int XENMAPSPACE_gmfn_foreign = 4;
    /** memory.h XENMAPSPACE_dev_mmio (hardware domain only). */
    public static final int XENMAPSPACE_dev_mmio = 5;
    /** memory.h XENMAPIDX_grant_table_status: idx names a status frame (grant table v2 only). */
    public static final long XENMAPIDX_grant_table_status = 0x80000000L;

    /** memory.h XENMEMF_get_address_bits(x) = x &amp; 0xff. */
    public static final int XENMEMF_ADDRESS_BITS_MASK = 0xff;
    /** memory.h XENMEMF_populate_on_demand. */
    public static final int XENMEMF_populate_on_demand = 1 << 16;
    /** memory.h XENMEMF_exact_node_request. */
    public static final int XENMEMF_exact_node_request = 1 << 17;
    /** memory.h XENMEMF_vnode. */
    public static final int XENMEMF_vnode = 1 << 18;
    /** xen/include/xen/numa.h NUMA_NO_NODE: what XENMEMF_get_node() gives for node field 0. */
    public static final int NUMA_NO_NODE = 0xff;

    /** xen/include/public/xen.h (arch-x86/xen.h) XEN_PAGE_SHIFT / PAGE_SHIFT. */
    public static final int PAGE_SHIFT = 12;

    /**
     * {@code CONFIG_DOMU_MAX_ORDER} = PAGETABLE_ORDER = 9 (xen/arch/x86/include/asm/config.h): the
     * largest extent order {@code max_order()} allows a domU (neither control nor hardware domain,
     * no passthrough).
     */
    public static final int DOMU_MAX_ORDER = 9;

    /** xen/arch/x86/include/asm/e820.h E820MAX: the most entries XENMEM_set_memory_map accepts. */
    public static final int E820MAX = 1024;
    /** xen/include/public/hvm/e820.h E820_RAM. */
    public static final int E820_RAM = 1;
    /** xen/include/public/hvm/e820.h E820_RESERVED. */
    public static final int E820_RESERVED = 2;

    /** xen/include/public/hvm/hvm_op.h HVMMEM_ram_rw. */
    public static final int HVMMEM_ram_rw = 0;
    /** hvm_op.h HVMMEM_ram_ro. */
    public static final int HVMMEM_ram_ro = 1;
    /** hvm_op.h HVMMEM_mmio_dm. */
    public static final int HVMMEM_mmio_dm = 2;

    /** The op of a memory_op cmd: {@code cmd & MEMOP_CMD_MASK}. */
    public static int op(long cmd) {
        return (int) (cmd & MEMOP_CMD_MASK);
    }

    /** The start_extent of a memory_op cmd: {@code cmd >> MEMOP_EXTENT_SHIFT}. */
    public static long startExtent(long cmd) {
        return cmd >>> MEMOP_EXTENT_SHIFT;
    }

    /** The name of a XENMAPSPACE_* value, or its number. */
    public static String spaceName(long space) {
        return switch ((int) space) {
            case XENMAPSPACE_shared_info -> "shared_info";
            case XENMAPSPACE_grant_table -> "grant_table";
            case XENMAPSPACE_gmfn -> "gmfn";
            case XENMAPSPACE_gmfn_range -> "gmfn_range";
            case XENMAPSPACE_gmfn_foreign -> "gmfn_foreign";
            case XENMAPSPACE_dev_mmio -> "dev_mmio";
            default -> Long.toString(space & 0xffffffffL);
        };
    }
}
