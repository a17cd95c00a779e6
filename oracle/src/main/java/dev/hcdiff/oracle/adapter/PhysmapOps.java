package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.adapter.AdapterState.Lookup;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;

import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_dev_mmio;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_gmfn;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_gmfn_foreign;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_gmfn_range;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_grant_table;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_shared_info;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EACCES;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EILSEQ;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOVERFLOW;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EXDEV;

/**
 * XENMEM_add_to_physmap and XENMEM_remove_from_physmap under the adapter (hyperv-abi.md §8a), after
 * the dispatcher's copy, with Xen's checks in Xen's order ({@code xen/common/memory.c
 * xenmem_add_to_physmap()}, {@code xatp_permission_check()}; {@code xen/arch/x86/mm/p2m.c
 * xenmem_add_to_physmap_one()}; xen-abi.md §5.7):
 * <ul>
 *   <li>shared_info: an adapter-held overlay. The only overlays a Hyper-V guest may place are the
 *       hypervisor's own pages (hypercall, SIM, SIEF, TSC, VP assist), so the adapter writes its
 *       shared_info mirror into guest RAM at the frame itself and keeps it there;</li>
 *   <li>grant_table: a gap. GPA mapping is the parent's (HvCallMapGpaPages), so the adapter presents
 *       a Xen built without grant tables, whose {@code gnttab_map_frame()} stub is -EINVAL
 *       (xen/include/xen/grant_table.h);</li>
 *   <li>gmfn and gmfn_range (moving RAM): a gap, -EOPNOTSUPP after Xen's checks;</li>
 *   <li>removing RAM: adapter-held, in the adapter's book of frames ({@link #removeFromPhysmap});</li>
 *   <li>gmfn_foreign (-ENOSYS), dev_mmio and dom0 (-EACCES), a bad frame or space (-EINVAL): as Xen.</li>
 * </ul>
 */
final class PhysmapOps {

    /** {@code INVALID_GFN} (~0UL, xen/include/xen/mm.h) as the 64-bit xen_pfn_t a guest passes. */
    private static final long INVALID_GFN = -1L;

    private final AdapterState s;

    PhysmapOps(AdapterState s) {
        this.s = s;
    }

    /** XENMEM_add_to_physmap after the copy (the dispatcher checked -EDOM). */
    @Covers(call = "XENMEM_add_to_physmap", as = Realisation.EMULATED, via = "shared_info: an adapter-held overlay written into guest RAM; grant_table and moving RAM cannot be mapped by a guest (HvCallMapGpaPages is the parent's)", gap = "physmap-move-root-only,grant-table-no-hyperv-mapping")
    long addToPhysmap(Call c, XenAddToPhysmap x, long start) {
        if (x.space() == XENMAPSPACE_gmfn_foreign) {
            return c.error(ENOSYS, "add_to_physmap: gmfn_foreign only via add_to_physmap_batch");
        }
        Lookup target = s.byAnyId(x.domid());
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "add_to_physmap: no domain " + x.domid());
        }
        if (target == Lookup.DOM0) {
            return c.error(EACCES, "add_to_physmap: dom0 is not translated");
        }
        if (x.space() == XENMAPSPACE_dev_mmio) {
            return c.error(EACCES, "add_to_physmap: dev_mmio is the hardware domain's");
        }
        if (x.gpfn() == INVALID_GFN) {
            return c.error(EINVAL, "add_to_physmap: gpfn is INVALID_GFN");
        }
        if (x.space() != XENMAPSPACE_gmfn_range) {
            return addOne(c, x.space(), x.idx(), x.gpfn());
        }
        if (x.size() < start) {
            return c.error(EILSEQ, "add_to_physmap: size < start");
        }
        long size = x.size();
        if (Long.compareUnsigned(x.gpfn() + size, x.gpfn()) < 0 || Long.compareUnsigned(x.idx() + size, x.idx()) < 0) {
            return c.error(EOVERFLOW, "add_to_physmap: range overflows");
        }
        long rc = 0;
        for (long i = start; i < size; i++) {
            rc = addOne(c, XENMAPSPACE_gmfn, x.idx() + i, x.gpfn() + i);
            if (rc < 0) {
                break;
            }
        }
        return rc;
    }

    /**
     * One frame: the source (shared_info idx 0; a RAM frame for gmfn; grant frames do not exist
     * here), then the destination (the APIC page: -EPERM; beyond the second-level table: -EINVAL),
     * then the mapping.
     */
    private long addOne(Call c, int space, long idx, long gpfn) {
        boolean overlay = space == XENMAPSPACE_shared_info;
        switch (space) {
            case XENMAPSPACE_shared_info -> {
                if (idx != 0) {
                    return c.error(EINVAL, "add_to_physmap: no shared_info page 0x" + Long.toHexString(idx));
                }
            }
            case XENMAPSPACE_grant_table -> {
                return c.error(EINVAL, "add_to_physmap: grant_table: no grant frames under the adapter "
                        + "(GPA mapping is the parent's; gnttab_map_frame() of a Xen without grant tables)");
            }
            case XENMAPSPACE_gmfn -> {
                AdapterPhysmap.Kind k = s.physmap.kindAt(idx);
                if (k == null) {
                    return c.error(EINVAL, "add_to_physmap: gmfn 0x" + Long.toHexString(idx) + " not mapped");
                }
                if (k == AdapterPhysmap.Kind.APIC) {
                    // The APIC page belongs at no frame of the domain's own (an M2P miss in Xen).
                    return c.error(EXDEV, "add_to_physmap: gmfn 0x" + Long.toHexString(idx) + " is the APIC page");
                }
                // The overlay's own frame names the overlay: moving it is moving shared_info.
                overlay = k == AdapterPhysmap.Kind.SHARED_INFO;
            }
            default -> {
                return c.error(EINVAL, "add_to_physmap: no page for space " + MemoryH.spaceName(space));
            }
        }
        if (s.physmap.kindAt(gpfn) == AdapterPhysmap.Kind.APIC) {
            return c.error(EPERM, "add_to_physmap: gfn 0x" + Long.toHexString(gpfn) + " is the APIC page");
        }
        if (gpfn < 0 || gpfn >= AdapterPhysmap.GFN_LIMIT) {
            if (overlay) {
                // Xen unhooks the page from its old frame before the new mapping fails.
                unmapSharedInfo();
            }
            return c.error(EINVAL, "add_to_physmap: gfn 0x" + Long.toHexString(gpfn) + " beyond the second-level table");
        }
        if (!overlay) {
            if (idx == gpfn) {
                c.note("add_to_physmap: gmfn 0x" + Long.toHexString(idx) + " onto itself: nothing moves");
                return 0;
            }
            return c.error(EOPNOTSUPP, "add_to_physmap: moving RAM is the parent's (HvCallMapGpaPages); "
                    + "no Hyper-V guest call");
        }
        s.physmap.mapSharedInfo(gpfn);
        s.shinfo.mapAt(gpfn << MemoryH.PAGE_SHIFT);
        c.note("add_to_physmap: shared_info overlay at gfn 0x" + Long.toHexString(gpfn)
                + " (adapter-held: the adapter writes its mirror there; no Hyper-V overlay exists for it)");
        return 0;
    }

    /**
     * XENMEM_remove_from_physmap after the copy: domain (-ESRCH), dom0 (-EACCES), a page at the
     * frame (none, or the APIC page: -ENOENT); the overlay is taken away; RAM leaves the adapter's
     * book, as it leaves Xen's p2m while staying the domain's (tot_pages unchanged). Everything Xen
     * lets the guest observe of it follows the book (a second remove, get_mem_type, an overlay
     * there); only the guest's own accesses to the frame would still find the partition's RAM,
     * which a Hyper-V guest cannot unmap.
     */
    @Covers(call = "XENMEM_remove_from_physmap", as = Realisation.EMULATED, via = "the adapter's book of frames")
    long removeFromPhysmap(Call c, int domid, long gpfn) {
        Lookup target = s.byAnyId(domid);
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "remove_from_physmap: no domain " + domid);
        }
        if (target == Lookup.DOM0) {
            return c.error(EACCES, "remove_from_physmap: dom0 is not translated");
        }
        AdapterPhysmap.Kind k = s.physmap.kindAt(gpfn);
        if (k == null || k == AdapterPhysmap.Kind.APIC) {
            return c.error(ENOENT, "remove_from_physmap: no page at gfn 0x" + Long.toHexString(gpfn));
        }
        if (k == AdapterPhysmap.Kind.SHARED_INFO) {
            unmapSharedInfo();
            c.note("remove_from_physmap: shared_info overlay removed (adapter-held)");
            return 0;
        }
        s.physmap.removeRam(gpfn);
        c.note("remove_from_physmap: gfn 0x" + Long.toHexString(gpfn) + " leaves the adapter's book (adapter-held; "
                + "unmapping is the parent's, HvCallUnmapGpaPages, so the partition's RAM stays underneath)");
        return 0;
    }

    private void unmapSharedInfo() {
        s.physmap.unmapSharedInfo();
        s.shinfo.unmap();
    }
}
