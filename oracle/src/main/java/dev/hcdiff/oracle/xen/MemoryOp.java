package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.dispatch.MemoryOpHandler;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.xen.PhysMap.Frame;
import dev.hcdiff.oracle.xen.PhysMap.Kind;
import dev.hcdiff.oracle.xen.XenDomain.Lookup;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.oracle.xen.abi.XenVnumaTopologyInfo;
import dev.hcdiff.trace.record.VcpuState;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_dev_mmio;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_gmfn;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_gmfn_foreign;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_gmfn_range;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_grant_table;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_shared_info;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_current_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_decrease_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_increase_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_maximum_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_populate_physmap;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EACCES;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOVERFLOW;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EXDEV;

/**
 * The memory_op sub-ops of {@code xen/common/memory.c} and {@code xen/arch/x86/mm.c} (Xen 4.17.7)
 * on the domain's {@link PhysMap}, one method per Xen function, checks in Xen's order. They never
 * copy argument structs: the dispatcher does ({@code dispatch/MemoryOpDispatcher}); extent lists
 * come through an {@link ExtentList}, whose reads fault like Xen's {@code __copy_from_guest_offset}.
 *
 * <p>The model never preempts, so no operation creates a continuation. dom0 is PV: not translated,
 * not HVM.
 */
public final class MemoryOp implements MemoryOpHandler<Current> {

    /**
     * {@code max_page}, the host's highest frame + 1, which XENMEM_maximum_ram_page returns and
     * {@code construct_memop_from_reservation()} compares address widths with. Host state: the
     * model answers as a 16 GiB host (RAM above 4 GiB remapped up to 0x440000000).
     */
    public static final long HOST_MAX_PAGE = 0x44_0000L;
    /** xen/include/xen/mm.h MAX_ORDER (x86 sets no CONFIG_PAGEALLOC_MAX_ORDER): the PoD order limit. */
    public static final int MAX_ORDER = 20;
    /** {@code UINT_MAX >> MEMOP_EXTENT_SHIFT}: the most extents a continuation can encode. */
    public static final long MAX_NR_EXTENTS = 0xFFFF_FFFFL >>> MemoryH.MEMOP_EXTENT_SHIFT;

    /** Reads entry {@code i} of a guest's xen_pfn_t list (compat_pfn_t for 32-bit callers). */
    @FunctionalInterface
    public interface ExtentList {
        long read(long i) throws GuestFault;
    }

    private final XenDomain d;

    public MemoryOp(XenDomain d) {
        this.d = d;
    }

    private PhysMap p2m() {
        return d.p2m();
    }

    // ---- reservations: the number of extents done, never an errno ----

    /**
     * The reservation branch of {@code do_memory_op()}: every early failure returns
     * {@code start_extent}: more extents than a continuation encodes, start_extent past the end,
     * no such domain, bad mem_flags ({@code construct_memop_from_reservation()}), XSM_TARGET.
     * Then {@code increase_reservation()}, {@code decrease_reservation()} or
     * {@code populate_physmap()}.
     *
     * @return extents done (start_extent + completed)
     * @see xen/common/memory.c do_memory_op
     */
    @Override
    public long reservation(Current current, int op, long startExtent, XenMemoryReservation r, ExtentList list) {
        if (Long.compareUnsigned(r.nrExtents(), MAX_NR_EXTENTS) > 0) {
            current.note("do_memory_op: nr_extents too large for a continuation");
            return startExtent;
        }
        if (Long.compareUnsigned(startExtent, r.nrExtents()) >= 0) {
            current.note("do_memory_op: start_extent >= nr_extents");
            return startExtent;
        }
        Lookup target = d.lockDomainByAnyId(r.domid());
        if (target == Lookup.NONE) {
            current.note("do_memory_op: no domain " + r.domid());
            return startExtent;
        }
        if (!constructMemopFromReservation(r)) {
            current.note("construct_memop_from_reservation: bad mem_flags 0x" + Integer.toHexString(r.memFlags()));
            return startExtent;
        }
        if (!d.xsmTargetAllows(target)) {
            current.note("xsm_memory_adjust_reservation: XSM_TARGET on dom0");
            return startExtent;
        }
        boolean pod = op == XENMEM_populate_physmap && (r.memFlags() & MemoryH.XENMEMF_populate_on_demand) != 0;
        return switch (op) {
            case XENMEM_increase_reservation -> increaseReservation(current, r, startExtent);
            case XENMEM_decrease_reservation -> decreaseReservation(current, r, startExtent, list);
            default -> populatePhysmap(current, r, startExtent, list, pod);
        };
    }

    /**
     * {@code construct_memop_from_reservation()}: an address width below the host's that is ≤ 12
     * bits is invalid; without vNUMA a node is allowed only when not exact for a domU
     * ({@code propagate_node()}); XENMEMF_vnode without vNUMA ignores the node. The adapter applies
     * the same check.
     */
    public static boolean constructMemopFromReservation(XenMemoryReservation r) {
        int addressBits = r.memFlags() & MemoryH.XENMEMF_ADDRESS_BITS_MASK;
        int hostBits = getOrderFromPages(HOST_MAX_PAGE) + MemoryH.PAGE_SHIFT;
        if (addressBits != 0 && addressBits < hostBits && addressBits <= MemoryH.PAGE_SHIFT) {
            return false;
        }
        if ((r.memFlags() & MemoryH.XENMEMF_vnode) != 0) {
            return true; // d->vnuma is NULL: nothing to check
        }
        int node = ((r.memFlags() >>> 8) - 1) & 0xFF; // XENMEMF_get_node()
        return node == MemoryH.NUMA_NO_NODE || (r.memFlags() & MemoryH.XENMEMF_exact_node_request) == 0;
    }

    /** {@code get_order_from_pages()}: the smallest order with 2^order ≥ n. */
    static int getOrderFromPages(long n) {
        int order = 0;
        while ((1L << order) < n) {
            order++;
        }
        return order;
    }

    /**
     * Allocates {@code 2^extent_order} pages per extent, owned by the domain but not mapped
     * (translated: no frame is written back); stops at max_pages. An order above the domU limit
     * does nothing.
     *
     * @see xen/common/memory.c increase_reservation
     */
    long increaseReservation(Current current, XenMemoryReservation r, long start) {
        if (Integer.toUnsignedLong(r.extentOrder()) > MemoryH.DOMU_MAX_ORDER) {
            current.note("increase_reservation: extent_order > max_order");
            return start;
        }
        long pages = 1L << r.extentOrder();
        long i = start;
        for (; Long.compareUnsigned(i, r.nrExtents()) < 0; i++) {
            if (!p2m().canAllocate(pages)) {
                current.note("increase_reservation: over max_pages");
                break;
            }
            p2m().allocUnmapped(pages);
        }
        return i;
    }

    /**
     * Frees the frames listed: for each extent, every page via {@code guest_remove_page()}; the
     * first page that is not mapped (-ENOENT) or cannot be removed ends the call.
     *
     * @see xen/common/memory.c decrease_reservation
     */
    long decreaseReservation(Current current, XenMemoryReservation r, long start, ExtentList list) {
        if (Integer.toUnsignedLong(r.extentOrder()) > MemoryH.DOMU_MAX_ORDER) {
            current.note("decrease_reservation: extent_order > max_order");
            return start;
        }
        long i = start;
        for (; Long.compareUnsigned(i, r.nrExtents()) < 0; i++) {
            long gmfn;
            try {
                gmfn = list.read(i);
            } catch (GuestFault f) {
                current.note("decrease_reservation: copy of extent " + i);
                return i;
            }
            for (long j = 0; j < (1L << r.extentOrder()); j++) {
                int rc = guestRemovePage(gmfn + j);
                if (rc != 0) {
                    current.note("decrease_reservation: guest_remove_page(0x" + Long.toHexString(gmfn + j) + ") -> "
                            + rc);
                    return i;
                }
            }
        }
        return i;
    }

    /**
     * For each extent: read its frame, allocate {@code 2^extent_order} pages (stop past
     * max_pages) and map them there ({@code guest_physmap_add_page()}; the frame list is not
     * written back for a translated domain). PoD on oneself stops at once. Mapping over the
     * vLAPIC page is "not permitted": Xen crashes the domain.
     *
     * @see xen/common/memory.c populate_physmap
     */
    long populatePhysmap(Current current, XenMemoryReservation r, long start, ExtentList list, boolean pod) {
        if (Integer.toUnsignedLong(r.extentOrder()) > (pod ? MAX_ORDER : MemoryH.DOMU_MAX_ORDER)) {
            current.note("populate_physmap: extent_order > max_order");
            return start;
        }
        long pages = 1L << Math.min(r.extentOrder(), 63);
        long i = start;
        for (; Long.compareUnsigned(i, r.nrExtents()) < 0; i++) {
            long gpfn;
            try {
                gpfn = list.read(i);
            } catch (GuestFault f) {
                current.note("populate_physmap: copy of extent " + i);
                return i;
            }
            if (pod) {
                current.note("populate_physmap: PoD on oneself is refused");
                return i;
            }
            if (!p2m().canAllocate(pages)) {
                current.note("populate_physmap: over max_pages");
                return i;
            }
            for (long j = 0; j < pages; j++) {
                Frame page = p2m().allocRam();
                Kind old = p2m().kindAt(gpfn + j);
                if (old == Kind.MMIO_DIRECT) {
                    // p2m_add_page(): "GFN ... not permitted" → domain_crash(d), -EPERM.
                    crash(current, "p2m_add_page: populating over p2m_mmio_direct at 0x" + Long.toHexString(gpfn + j));
                    return i;
                }
                unhookForReplacement(gpfn + j);
                if (p2m().set(gpfn + j, page) != 0) {
                    current.note("populate_physmap: gfn 0x" + Long.toHexString(gpfn + j) + " beyond the p2m");
                    return i;
                }
            }
        }
        return i;
    }

    /** What p2m_add_page() does to a RAM-typed page it replaces: its m2p is cleared (it stays allocated). */
    private void unhookForReplacement(long gfn) {
        Frame old = p2m().lookup(gfn);
        if (old == null) {
            return;
        }
        old.m2p = PhysMap.INVALID_M2P_ENTRY;
        if (old == d.sharedInfoFrame()) {
            d.sharedInfo().unmap();
        }
    }

    /** {@code domain_crash(d)} from inside a hypercall: the domain shuts down (crash) and never resumes. */
    private void crash(Current current, String why) {
        int code = d.domainShutdown(SchedH.SHUTDOWN_crash);
        current.observed().shutdown(code);
        current.observed().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        current.note(why + " -> domain_crash");
    }

    /**
     * {@code guest_remove_page()}: -ENOENT for an unmapped frame, -EPERM for direct MMIO;
     * otherwise the page leaves the p2m, and domain RAM leaves the domain (a Xen heap page such
     * as shared_info is only unhooked).
     *
     * @return 0 or a negated errno
     * @see xen/common/memory.c guest_remove_page
     */
    int guestRemovePage(long gmfn) {
        Frame f = p2m().lookup(gmfn);
        if (f == null) {
            return -ENOENT;
        }
        if (f.kind() == Kind.MMIO_DIRECT) {
            return -EPERM;
        }
        p2m().remove(gmfn);
        if (f.kind() == Kind.RAM) {
            p2m().freeRam();
        } else if (f == d.sharedInfoFrame()) {
            d.sharedInfo().unmap();
        }
        return 0;
    }

    // ---- simple queries ----

    /**
     * XENMEM_current_reservation, _maximum_reservation, _maximum_gpfn after the copy: the domain
     * (-ESRCH), XSM_TARGET (-EPERM), then tot_pages, max_pages or the highest frame ever mapped.
     *
     * @see xen/common/memory.c do_memory_op
     */
    @Override
    public long memoryStatReservation(Current current, int op, int domid) {
        Lookup target = d.lockDomainByAnyId(domid);
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "do_memory_op: no domain " + domid);
        }
        if (!d.xsmTargetAllows(target)) {
            return current.error(EPERM, "xsm_memory_stat_reservation: XSM_TARGET on dom0");
        }
        return switch (op) {
            case XENMEM_current_reservation -> p2m().totPages();
            case XENMEM_maximum_reservation -> p2m().maxPages();
            default -> p2m().maxMappedPfn();
        };
    }

    // ---- add_to_physmap / remove_from_physmap ----

    /**
     * XENMEM_add_to_physmap after the copy (the dispatcher checked -EDOM): gmfn_foreign (-ENOSYS),
     * the domain (-ESRCH), {@code xatp_permission_check()} (dom0 is not translated: -EACCES;
     * dev_mmio: -EACCES), then {@code xenmem_add_to_physmap()}.
     *
     * @see xen/common/memory.c do_memory_op
     */
    @Override
    public long addToPhysmap(Current current, XenAddToPhysmap xatp, long startExtent) {
        if (xatp.space() == XENMAPSPACE_gmfn_foreign) {
            return current.error(ENOSYS, "XENMEM_add_to_physmap: gmfn_foreign only via add_to_physmap_batch");
        }
        Lookup target = d.lockDomainByAnyId(xatp.domid());
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "do_memory_op: no domain " + xatp.domid());
        }
        long rc = xatpPermissionCheck(current, target, xatp.space());
        if (rc != 0) {
            return rc;
        }
        return xenmemAddToPhysmap(current, xatp, startExtent);
    }

    /** @see xen/common/memory.c xatp_permission_check */
    long xatpPermissionCheck(Current current, Lookup target, int space) {
        if (target == Lookup.DOM0) {
            return current.error(EACCES, "xatp_permission_check: dom0 is not translated");
        }
        if (space == XENMAPSPACE_dev_mmio) {
            return current.error(EACCES, "xatp_permission_check: dev_mmio is the hardware domain's");
        }
        return 0;
    }

    /**
     * gpfn = INVALID_GFN (-EINVAL); one page for every space but gmfn_range, which checks
     * size &lt; start (-EILSEQ) and overflow (-EOVERFLOW), then moves {@code size} frames one by
     * one, stopping at the first error (those before stay moved).
     *
     * @see xen/common/memory.c xenmem_add_to_physmap
     */
    long xenmemAddToPhysmap(Current current, XenAddToPhysmap xatp, long start) {
        if (xatp.gpfn() == -1L) {
            return current.error(EINVAL, "xenmem_add_to_physmap: gpfn is INVALID_GFN");
        }
        if (xatp.space() != XENMAPSPACE_gmfn_range) {
            return xenmemAddToPhysmapOne(current, xatp.space(), xatp.idx(), xatp.gpfn());
        }
        if (xatp.size() < start) {
            return current.error(dev.hcdiff.oracle.xen.abi.XenErrno.EILSEQ, "xenmem_add_to_physmap: size < start");
        }
        long size = xatp.size();
        if (Long.compareUnsigned(xatp.gpfn() + size, xatp.gpfn()) < 0
                || Long.compareUnsigned(xatp.idx() + size, xatp.idx()) < 0) {
            return current.error(EOVERFLOW, "xenmem_add_to_physmap: range overflows");
        }
        long idx = xatp.idx() + start;
        long gpfn = xatp.gpfn() + start;
        size -= start;
        long rc = 0;
        for (long done = 0; done < size; done++) {
            rc = xenmemAddToPhysmapOne(current, XENMAPSPACE_gmfn, idx, gpfn);
            if (rc < 0) {
                break;
            }
            idx++;
            gpfn++;
        }
        return rc;
    }

    /**
     * Maps one page at {@code gpfn}: shared_info (idx 0, else -EINVAL), a grant frame (grown on
     * demand up to max_grant_frames, else -EINVAL), or the RAM page at frame {@code idx} (gmfn:
     * unmapped -EINVAL, mapped elsewhere per the m2p -EXDEV). The destination: direct MMIO is
     * -EPERM; a special page there is unhooked; RAM there is freed. The page leaves its old frame
     * and is mapped read-write at {@code gpfn}.
     *
     * @see xen/arch/x86/mm/p2m.c xenmem_add_to_physmap_one
     */
    long xenmemAddToPhysmapOne(Current current, int space, long idx, long gpfn) {
        Frame frame = null;
        switch (space) {
            case XENMAPSPACE_shared_info -> {
                if (idx == 0) {
                    frame = d.sharedInfoFrame();
                }
            }
            case XENMAPSPACE_grant_table -> {
                long rc = gnttabMapFrameBegin(current, idx);
                if (rc < 0) {
                    return rc;
                }
                frame = d.grantFrames().get((int) rc);
            }
            case XENMAPSPACE_gmfn -> frame = p2m().lookup(idx);
            default -> {
                // Unknown spaces leave mfn INVALID.
            }
        }
        if (frame == null) {
            return current.error(EINVAL, "xenmem_add_to_physmap_one: no page for space "
                    + MemoryH.spaceName(space) + " idx 0x" + Long.toHexString(idx));
        }
        Frame prev = p2m().lookup(gpfn);
        long oldGpfn = frame.m2p();
        if (space == XENMAPSPACE_gmfn && oldGpfn != idx) {
            return current.error(EXDEV, "xenmem_add_to_physmap_one: page belongs at another gfn");
        }
        if (prev != null) {
            if (prev.kind() == Kind.MMIO_DIRECT) {
                return current.error(EPERM, "xenmem_add_to_physmap_one: gfn 0x" + Long.toHexString(gpfn)
                        + " is direct MMIO");
            }
            if (prev.special()) {
                p2m().remove(gpfn); // "Special pages are simply unhooked from this phys slot."
                if (prev == d.sharedInfoFrame()) {
                    d.sharedInfo().unmap();
                }
            } else if (prev != frame) {
                guestRemovePage(gpfn); // "Normal domain memory is freed, to avoid leaking memory."
            }
        }
        if (oldGpfn != PhysMap.INVALID_M2P_ENTRY && oldGpfn != gpfn) {
            p2m().remove(oldGpfn);
        }
        int rc = p2m().set(gpfn, frame);
        if (rc != 0) {
            if (frame == d.sharedInfoFrame()) {
                d.sharedInfo().unmap(); // already gone from its old frame
            }
            return current.error(-rc, "p2m_add_page: gfn 0x" + Long.toHexString(gpfn) + " beyond the p2m");
        }
        if (frame == d.sharedInfoFrame()) {
            d.sharedInfo().mapAt(gpfn << MemoryH.PAGE_SHIFT);
            current.note("shared_info mapped at gfn 0x" + Long.toHexString(gpfn));
        }
        return 0;
    }

    /**
     * Grant table v1 ({@code gt_version} 1: the status bit is not stripped): the frame index is an
     * unsigned int; frames past {@code nr_grant_frames} are allocated up to max_grant_frames.
     *
     * @return the frame's index, or -EINVAL
     * @see xen/common/grant_table.c gnttab_map_frame_begin
     * @see xen/common/grant_table.c gnttab_get_shared_frame_mfn
     */
    long gnttabMapFrameBegin(Current current, long idxArg) {
        long idx = idxArg & 0xFFFF_FFFFL;
        List<Frame> frames = d.grantFrames();
        if (idx >= frames.size()) {
            long nrGrant = (idx + 1) & 0xFFFF_FFFFL;
            if (nrGrant == 0) {
                return current.error(EINVAL, "gnttab_get_shared_frame_mfn: frame count overflows");
            }
            if (nrGrant <= XenDomain.MAX_GRANT_FRAMES) {
                while (frames.size() < nrGrant) { // gnttab_grow_table()
                    frames.add(PhysMap.special(Kind.GRANT_TABLE, frames.size()));
                }
            }
            if (idx >= frames.size()) {
                return current.error(EINVAL, "gnttab_get_shared_frame_mfn: frame " + idx + " beyond max_grant_frames");
            }
        }
        return idx;
    }

    /**
     * XENMEM_remove_from_physmap after the copy: the domain (-ESRCH), translated (dom0: -EACCES),
     * a page at the frame ({@code get_page_from_gfn()}: none, or direct MMIO, is -ENOENT); the page
     * leaves the p2m but stays the domain's (tot_pages does not change).
     *
     * @see xen/common/memory.c do_memory_op
     */
    @Override
    public long removeFromPhysmap(Current current, int domid, long gpfn) {
        Lookup target = d.lockDomainByAnyId(domid);
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "do_memory_op: no domain " + domid);
        }
        if (target == Lookup.DOM0) {
            return current.error(EACCES, "XENMEM_remove_from_physmap: dom0 is not translated");
        }
        Frame f = p2m().lookup(gpfn);
        if (f == null || f.kind() == Kind.MMIO_DIRECT) {
            return current.error(ENOENT, "XENMEM_remove_from_physmap: no page at gfn 0x" + Long.toHexString(gpfn));
        }
        p2m().remove(gpfn);
        if (f == d.sharedInfoFrame()) {
            d.sharedInfo().unmap();
        }
        return 0;
    }

    // ---- the memory map ----

    /**
     * XENMEM_memory_map: -ENOSYS while the toolstack never set one ("Backwards compatibility"),
     * else the first {@code min(nr_entries, nr_e820)} entries.
     *
     * @return the entries to copy out, or null with the error in {@code current}
     * @see xen/arch/x86/mm.c arch_memory_op
     */
    @Override
    public List<E820Entry> memoryMap(Current current, int nrEntries) {
        List<E820Entry> e820 = d.e820();
        if (e820 == null || e820.isEmpty()) {
            current.error(ENOSYS, "XENMEM_memory_map: the toolstack set no memory map");
            return null;
        }
        long n = Math.min(Integer.toUnsignedLong(nrEntries), e820.size());
        return e820.subList(0, (int) n);
    }

    /**
     * XENMEM_set_memory_map after the copy: more than E820MAX entries (-EINVAL), the domain
     * (-ESRCH), XSM_TARGET (-EPERM: a domU may set its own), then the entries are read
     * ({@code entries} faults: -EFAULT) and replace the map.
     *
     * @see xen/arch/x86/mm.c arch_memory_op
     */
    @Override
    public long setMemoryMap(Current current, int domid, int nrEntries, EntryReader entries) {
        if (Integer.toUnsignedLong(nrEntries) > MemoryH.E820MAX) {
            return current.error(EINVAL, "XENMEM_set_memory_map: more than E820MAX entries");
        }
        Lookup target = d.lockDomainByAnyId(domid);
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "XENMEM_set_memory_map: no domain " + domid);
        }
        if (!d.xsmTargetAllows(target)) {
            return current.error(EPERM, "xsm_domain_memory_map: XSM_TARGET on dom0");
        }
        List<E820Entry> map;
        try {
            map = entries.read(nrEntries);
        } catch (GuestFault f) {
            return current.error(dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT, "XENMEM_set_memory_map: copy of the entries");
        }
        d.setE820(map);
        return 0;
    }

    /** Reads {@code n} e820 entries from the guest. */
    @FunctionalInterface
    public interface EntryReader {
        List<E820Entry> read(int n) throws GuestFault;
    }

    // ---- privileged or absent ----

    /**
     * XENMEM_claim_pages after the copy: extent_start, extent_order and mem_flags must be 0
     * (-EINVAL), the domain is looked up by id only (DOMID_SELF or an unknown id: -EINVAL), then
     * XSM_PRIV refuses a domU (-EPERM).
     *
     * @see xen/common/memory.c do_memory_op
     */
    @Override
    public long claimPages(Current current, XenMemoryReservation r) {
        if (r.extentStart() != 0) {
            return current.error(EINVAL, "XENMEM_claim_pages: extent_start is not NULL");
        }
        if (r.extentOrder() != 0) {
            return current.error(EINVAL, "XENMEM_claim_pages: extent_order != 0");
        }
        if (r.memFlags() != 0) {
            return current.error(EINVAL, "XENMEM_claim_pages: mem_flags != 0");
        }
        if (d.lockDomainById(r.domid()) == Lookup.NONE) {
            return current.error(EINVAL, "XENMEM_claim_pages: no domain " + r.domid() + " (by id)");
        }
        return current.error(EPERM, "xsm_claim_pages: XSM_PRIV");
    }

    /**
     * XENMEM_get_vnumainfo after the copy: pad ≠ 0 (-EINVAL), the domain (-ESRCH), XSM_TARGET
     * (-EPERM), no vNUMA (-EOPNOTSUPP: xl configures none by default).
     *
     * @see xen/common/memory.c do_memory_op
     */
    @Override
    public long getVnumainfo(Current current, XenVnumaTopologyInfo t) {
        if (t.pad() != 0) {
            return current.error(EINVAL, "XENMEM_get_vnumainfo: pad != 0");
        }
        Lookup target = d.lockDomainByAnyId(t.domid());
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "XENMEM_get_vnumainfo: no domain " + t.domid());
        }
        if (!d.xsmTargetAllows(target)) {
            return current.error(EPERM, "xsm_get_vnumainfo: XSM_TARGET on dom0");
        }
        return current.error(EOPNOTSUPP, "XENMEM_get_vnumainfo: the domain has no vNUMA");
    }

    /**
     * XENMEM_set_pod_target / _get_pod_target after the copy: the domain (-ESRCH), not HVM (dom0:
     * -EINVAL), then XSM_PRIV refuses a domU (-EPERM).
     *
     * @see xen/arch/x86/mm.c arch_memory_op
     */
    @Override
    public long podTarget(Current current, boolean set, int domid) {
        Lookup target = d.lockDomainByAnyId(domid);
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "XENMEM_" + (set ? "set" : "get") + "_pod_target: no domain " + domid);
        }
        if (target == Lookup.DOM0) {
            return current.error(EINVAL, "XENMEM_" + (set ? "set" : "get") + "_pod_target: dom0 is not HVM");
        }
        return current.error(EPERM, "xsm_" + (set ? "set" : "get") + "_pod_target: XSM_PRIV");
    }
}
