package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.adapter.AdapterState.Lookup;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.xen.MemoryOp;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.oracle.xen.abi.XenVnumaTopologyInfo;
import dev.hcdiff.oracle.xen.dispatch.MemoryOpDecoder;
import dev.hcdiff.oracle.xen.dispatch.MemoryOpHandler;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.MemoryH.DOMU_MAX_ORDER;
import static dev.hcdiff.oracle.xen.abi.MemoryH.E820MAX;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEMF_populate_on_demand;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_current_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_decrease_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_increase_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_maximum_reservation;
import static dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_populate_physmap;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * memory_op (12) under the adapter, hyperv-abi.md §8a. Hyper-V gives a guest no call that changes
 * its partition's memory (GPA mapping is the parent's; ballooning is the VMBus Dynamic Memory
 * protocol, not a hypercall), so nothing here issues a Hyper-V call. Xen's copies and checks, in
 * the order of {@code hvm_memory_op()} → {@code do_memory_op()} / {@code compat_memory_op()} →
 * {@code arch_memory_op()} (xen-abi.md §5.7; the 32-bit path copies its struct before the native
 * checks), are the reference's own ({@link MemoryOpDecoder}); past them the adapter answers from
 * its own state:
 * <ul>
 *   <li>memory_map / set_memory_map: the toolstack's e820, adapter-held;</li>
 *   <li>add_to_physmap / remove_from_physmap: {@link PhysmapOps} (the shared_info overlay, gaps);</li>
 *   <li>current/maximum_reservation, maximum_gpfn: the adapter's book of frames; maximum_ram_page:
 *       the presented host's constant (a guest cannot see the host);</li>
 *   <li>increase/decrease_reservation, populate_physmap: a gap after Xen's argument checks: no
 *       extent is done (the count Xen returns is then start_extent);</li>
 *   <li>claim_pages, get_vnumainfo, pod targets, the sharing counters: Xen's refusals and zeros;</li>
 *   <li>what the reference leaves unmodelled (exchange, the batch past its check, access_op, the RDM
 *       map, acquire_resource, paging_op, machphys_mfn_list): the same -ENOSYS.</li>
 * </ul>
 */
final class MemoryOps implements MemoryOpHandler<Call> {

    private final AdapterState s;
    private final PhysmapOps physmap;
    private final MemoryOpDecoder<Call> decoder;

    MemoryOps(AdapterState s) {
        this.s = s;
        this.physmap = new PhysmapOps(s);
        this.decoder = new MemoryOpDecoder<>(this);
    }

    /** {@code hvm_memory_op()}: Xen's decoding ({@link MemoryOpDecoder}), then the sub-ops below. */
    @Covers(call = "XENMEM_machine_memory_map", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: not for HVM, -ENOSYS")
    @Covers(call = "XENMEM_machphys_mapping", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: not for HVM, -ENOSYS")
    @Covers(call = "XENMEM_machphys_mfn_list", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: no PV32 for 32-bit callers (-EOPNOTSUPP); the host's frames are unmodelled for 64-bit ones")
    @Covers(call = "XENMEM_machphys_compat_mfn_list", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: no PV32, -EOPNOTSUPP")
    @Covers(call = "XENMEM_get_sharing_freed_pages", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: no memory sharing, 0")
    @Covers(call = "XENMEM_get_sharing_shared_pages", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: no memory sharing, 0")
    @Covers(call = "XENMEM_sharing_op", as = Realisation.EMULATED, via = "Xen's decoding, shared with the reference: no CONFIG_MEM_SHARING, -ENOSYS")
    long dispatch(Call c, long cmd, long arg, GuestMemory m) {
        return decoder.hvmMemoryOp(c, cmd, arg, m);
    }

    /**
     * The reservation ops: Xen's early failures (more extents than a continuation encodes,
     * start_extent past the end, no such domain, bad mem_flags, dom0, an order above the limit) all
     * return start_extent; past them Xen would allocate, free or map pages, which a Hyper-V guest
     * cannot: a gap, and the adapter reports no extent done.
     */
    @Covers(call = "XENMEM_increase_reservation", as = Realisation.GAP, via = "Xen's argument checks, then no extent done (no Hyper-V call changes a partition's memory)", gap = "memory-reservation-no-hyperv-call")
    @Covers(call = "XENMEM_decrease_reservation", as = Realisation.GAP, via = "Xen's argument checks, then no extent done (no Hyper-V call changes a partition's memory)", gap = "memory-reservation-no-hyperv-call")
    @Covers(call = "XENMEM_populate_physmap", as = Realisation.GAP, via = "Xen's argument checks, then no extent done (no Hyper-V call changes a partition's memory)", gap = "memory-reservation-no-hyperv-call")
    @Override
    public long reservation(Call c, int op, long start, XenMemoryReservation r, MemoryOp.ExtentList list) {
        if (Long.compareUnsigned(r.nrExtents(), MemoryOp.MAX_NR_EXTENTS) > 0) {
            c.note("memory_op: nr_extents too large for a continuation");
            return start;
        }
        if (Long.compareUnsigned(start, r.nrExtents()) >= 0) {
            c.note("memory_op: start_extent >= nr_extents");
            return start;
        }
        Lookup target = s.byAnyId(r.domid());
        if (target == Lookup.NONE) {
            c.note("memory_op: no domain " + r.domid());
            return start;
        }
        if (!MemoryOp.constructMemopFromReservation(r)) {
            c.note("memory_op: bad mem_flags 0x" + Integer.toHexString(r.memFlags()));
            return start;
        }
        if (target == Lookup.DOM0) {
            c.note("memory_op: XSM_TARGET on dom0");
            return start;
        }
        boolean pod = op == XENMEM_populate_physmap && (r.memFlags() & XENMEMF_populate_on_demand) != 0;
        long maxOrder = pod ? MemoryOp.MAX_ORDER : DOMU_MAX_ORDER;
        if (Integer.toUnsignedLong(r.extentOrder()) > maxOrder) {
            c.note("memory_op: extent_order > max_order");
            return start;
        }
        if (op != XENMEM_increase_reservation) {
            // Xen reads the extent's frame before it tries to map or free it (populate_physmap(),
            // decrease_reservation() in xen/common/memory.c), so the adapter fails where Xen fails
            // when the operation cannot be done: after that read, with the same extent count.
            try {
                list.read(start);
            } catch (GuestFault f) {
                c.note("memory_op: copy of extent " + start);
                return start;
            }
        }
        c.note("memory_op: " + (op == XENMEM_increase_reservation ? "increase_reservation"
                : op == XENMEM_decrease_reservation ? "decrease_reservation" : "populate_physmap")
                + ": no extent done (a Hyper-V guest cannot change its partition's memory: GPA mapping is the "
                + "parent's, ballooning is VMBus Dynamic Memory)");
        return start;
    }

    @Covers(call = "XENMEM_maximum_ram_page", as = Realisation.EMULATED, via = "adapter constant: the presented host's max_page (a Hyper-V guest cannot see the host)")
    @Override
    public long maximumRamPage(Call c) {
        c.note("XENMEM_maximum_ram_page: the presented host's constant (a Hyper-V guest cannot see the host)");
        return MemoryOp.HOST_MAX_PAGE;
    }

    /** current_reservation, maximum_reservation, maximum_gpfn: domain (-ESRCH), dom0 (-EPERM), the book's count. */
    @Covers(call = "XENMEM_current_reservation", as = Realisation.EMULATED, via = "the adapter's book of frames")
    @Covers(call = "XENMEM_maximum_reservation", as = Realisation.EMULATED, via = "the adapter's book of frames")
    @Covers(call = "XENMEM_maximum_gpfn", as = Realisation.EMULATED, via = "the adapter's book of frames")
    @Override
    public long memoryStatReservation(Call c, int op, int domid) {
        Lookup target = s.byAnyId(domid);
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "memory_op: no domain " + domid);
        }
        if (target == Lookup.DOM0) {
            return c.error(EPERM, "memory_op: XSM_TARGET on dom0");
        }
        return switch (op) {
            case XENMEM_current_reservation -> s.physmap.totPages();
            case XENMEM_maximum_reservation -> s.physmap.maxPages();
            default -> s.physmap.maxMappedPfn();
        };
    }

    /** XENMEM_claim_pages: no extent list, order or flags (-EINVAL), a domain by id (-EINVAL), privileged (-EPERM). */
    @Covers(call = "XENMEM_claim_pages", as = Realisation.EMULATED, via = "adapter policy as Xen: argument checks, then XSM_PRIV (-EPERM)")
    @Override
    public long claimPages(Call c, XenMemoryReservation r) {
        if (r.extentStart() != 0 || r.extentOrder() != 0 || r.memFlags() != 0) {
            return c.error(EINVAL, "XENMEM_claim_pages: extent_start, extent_order and mem_flags must be 0");
        }
        if (s.byId(r.domid()) == Lookup.NONE) {
            return c.error(EINVAL, "XENMEM_claim_pages: no domain " + r.domid() + " (by id)");
        }
        return c.error(EPERM, "XENMEM_claim_pages: XSM_PRIV");
    }

    /** XENMEM_get_vnumainfo: pad (-EINVAL), domain (-ESRCH), dom0 (-EPERM), no vNUMA (-EOPNOTSUPP). */
    @Covers(call = "XENMEM_get_vnumainfo", as = Realisation.EMULATED, via = "adapter policy as Xen: no vNUMA, -EOPNOTSUPP")
    @Override
    public long getVnumainfo(Call c, XenVnumaTopologyInfo t) {
        if (t.pad() != 0) {
            return c.error(EINVAL, "XENMEM_get_vnumainfo: pad != 0");
        }
        Lookup target = s.byAnyId(t.domid());
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "XENMEM_get_vnumainfo: no domain " + t.domid());
        }
        if (target == Lookup.DOM0) {
            return c.error(EPERM, "XENMEM_get_vnumainfo: XSM_TARGET on dom0");
        }
        return c.error(EOPNOTSUPP, "XENMEM_get_vnumainfo: no vNUMA (xl configures none)");
    }

    /** XENMEM_set/get_pod_target: domain (-ESRCH), dom0 not HVM (-EINVAL), privileged (-EPERM). */
    @Covers(call = "XENMEM_set_pod_target", as = Realisation.EMULATED, via = "adapter policy as Xen: XSM_PRIV (-EPERM)")
    @Covers(call = "XENMEM_get_pod_target", as = Realisation.EMULATED, via = "adapter policy as Xen: XSM_PRIV (-EPERM)")
    @Override
    public long podTarget(Call c, boolean set, int domid) {
        String name = "XENMEM_" + (set ? "set" : "get") + "_pod_target";
        Lookup target = s.byAnyId(domid);
        if (target == Lookup.NONE) {
            return c.error(ESRCH, name + ": no domain " + domid);
        }
        if (target == Lookup.DOM0) {
            return c.error(EINVAL, name + ": dom0 is not HVM");
        }
        return c.error(EPERM, name + ": XSM_PRIV");
    }

    /** XENMEM_add_to_physmap after the copy: {@link PhysmapOps}. */
    @Override
    public long addToPhysmap(Call c, XenAddToPhysmap x, long start) {
        return physmap.addToPhysmap(c, x, start);
    }

    /** XENMEM_remove_from_physmap after the copy: {@link PhysmapOps}. */
    @Override
    public long removeFromPhysmap(Call c, int domid, long gpfn) {
        return physmap.removeFromPhysmap(c, domid, gpfn);
    }

    /**
     * XENMEM_set_memory_map after the copy: more than E820MAX entries (-EINVAL), domain (-ESRCH),
     * dom0 (-EPERM), the entries (-EFAULT); they replace the adapter-held e820.
     */
    @Covers(call = "XENMEM_set_memory_map", as = Realisation.EMULATED, via = "the toolstack's e820, adapter-held")
    @Override
    public long setMemoryMap(Call c, int domid, int nrEntries, MemoryOp.EntryReader entries) {
        if (Integer.toUnsignedLong(nrEntries) > E820MAX) {
            return c.error(EINVAL, "XENMEM_set_memory_map: more than E820MAX entries");
        }
        Lookup target = s.byAnyId(domid);
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "XENMEM_set_memory_map: no domain " + domid);
        }
        if (target == Lookup.DOM0) {
            return c.error(EPERM, "XENMEM_set_memory_map: XSM_TARGET on dom0");
        }
        List<E820Entry> map;
        try {
            map = entries.read(nrEntries);
        } catch (GuestFault e) {
            return c.error(EFAULT, "XENMEM_set_memory_map: copy of the entries");
        }
        s.e820 = List.copyOf(map);
        c.note("XENMEM_set_memory_map: " + nrEntries + " entries, adapter-held");
        return 0;
    }

    /** XENMEM_memory_map: no map set (-ENOSYS); else the first min(nr_entries, n) entries of the adapter-held e820. */
    @Covers(call = "XENMEM_memory_map", as = Realisation.EMULATED, via = "the toolstack's e820, adapter-held")
    @Override
    public List<E820Entry> memoryMap(Call c, int nrEntries) {
        if (s.e820 == null || s.e820.isEmpty()) {
            c.error(ENOSYS, "XENMEM_memory_map: the toolstack set no memory map");
            return null;
        }
        int n = (int) Math.min(Integer.toUnsignedLong(nrEntries), s.e820.size());
        c.note("XENMEM_memory_map: the toolstack's e820, adapter-held (no Hyper-V call)");
        return s.e820.subList(0, n);
    }
}
