package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.MemoryOp;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.oracle.xen.abi.XenVnumaTopologyInfo;

import java.util.List;

/**
 * The memory_op sub-ops after {@link MemoryOpDecoder} has copied and checked their arguments: the
 * reference's {@link MemoryOp} over its domain, or the adapter's over its own state. Each method
 * is the part of Xen's function past the copy; the javadoc of {@link MemoryOp} says what Xen does.
 *
 * @param <C> the caller's context
 */
public interface MemoryOpHandler<C extends CallContext> {

    /** increase/decrease_reservation, populate_physmap: the extents done (start_extent + completed). */
    long reservation(C c, int op, long startExtent, XenMemoryReservation r, MemoryOp.ExtentList list);

    /** XENMEM_maximum_ram_page with start_extent 0: the host's {@code max_page}. */
    default long maximumRamPage(C c) {
        return MemoryOp.HOST_MAX_PAGE;
    }

    /** current_reservation, maximum_reservation, maximum_gpfn. */
    long memoryStatReservation(C c, int op, int domid);

    /** XENMEM_add_to_physmap after the copy (start_extent fits xatp.size). */
    long addToPhysmap(C c, XenAddToPhysmap xatp, long startExtent);

    /** XENMEM_remove_from_physmap after the copy. */
    long removeFromPhysmap(C c, int domid, long gpfn);

    /** XENMEM_claim_pages after the copy. */
    long claimPages(C c, XenMemoryReservation r);

    /** XENMEM_get_vnumainfo after the copy. */
    long getVnumainfo(C c, XenVnumaTopologyInfo t);

    /** XENMEM_set_pod_target / get_pod_target after the copy. */
    long podTarget(C c, boolean set, int domid);

    /** XENMEM_set_memory_map after the copy of the foreign map; the entries are read on demand. */
    long setMemoryMap(C c, int domid, int nrEntries, MemoryOp.EntryReader entries);

    /** XENMEM_memory_map: the first {@code nrEntries} entries of the map, or null for -ENOSYS (none set). */
    List<E820Entry> memoryMap(C c, int nrEntries);
}
