package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.adapter.AdapterState.Lookup;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.MemoryOp;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenForeignMemoryMap;
import dev.hcdiff.oracle.xen.abi.XenMemoryDomain;
import dev.hcdiff.oracle.xen.abi.XenMemoryMap;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.oracle.xen.abi.XenPodTarget;
import dev.hcdiff.oracle.xen.abi.XenRemoveFromPhysmap;
import dev.hcdiff.oracle.xen.abi.XenVnumaTopologyInfo;
import dev.hcdiff.trace.record.Abi;

import java.util.ArrayList;
import java.util.List;

import static dev.hcdiff.oracle.xen.abi.MemoryH.*;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EDOM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * memory_op (12) under the adapter, hyperv-abi.md §8a. Hyper-V gives a guest no call that changes
 * its partition's memory (GPA mapping is the parent's; ballooning is the VMBus Dynamic Memory
 * protocol, not a hypercall), so nothing here issues a Hyper-V call. The adapter answers from its
 * own state, in the order and with the copies of {@code hvm_memory_op()} → {@code do_memory_op()} /
 * {@code compat_memory_op()} → {@code arch_memory_op()} (xen-abi.md §5.7; the 32-bit path copies its
 * struct before the native checks):
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
final class MemoryOps {

    /** {@code max_page}'s order + PAGE_SHIFT: the host address width mem_flags are compared with. */
    private static final int HOST_ADDRESS_BITS = orderOf(MemoryOp.HOST_MAX_PAGE) + MemoryH.PAGE_SHIFT;
    /** sizeof(struct xen_add_to_physmap_batch): 40, compat 24 (xen/include/public/memory.h). */
    private static final int BATCH_SIZE_64 = 40;
    private static final int BATCH_SIZE_32 = 24;
    /** sizeof(struct compat_memory_exchange): in (20) + out (20) + nr_exchanged (4). */
    private static final int COMPAT_EXCHANGE_SIZE = 44;

    private final AdapterState s;
    private final PhysmapOps physmap;

    MemoryOps(AdapterState s) {
        this.s = s;
        this.physmap = new PhysmapOps(s);
    }

    /** {@code hvm_memory_op()}: machine_memory_map and machphys_mapping are not for HVM. */
    long dispatch(Call c, long cmd, long arg, GuestMemory m) {
        int op = MemoryH.op(cmd);
        if (op == XENMEM_machine_memory_map || op == XENMEM_machphys_mapping) {
            return c.error(ENOSYS, "memory_op: op " + op + " is not for HVM");
        }
        return c.abi() == Abi.XEN32 ? compat(c, cmd & 0xFFFF_FFFFL, arg, m) : memoryOp(c, cmd, arg, m);
    }

    /** The native op ({@code do_memory_op()}). */
    private long memoryOp(Call c, long cmd, long arg, GuestMemory m) {
        int op = MemoryH.op(cmd);
        long start = MemoryH.startExtent(cmd);
        Abi abi = c.abi();
        switch (op) {
            case XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap -> {
                XenMemoryReservation r = read(m, arg, XenMemoryReservation.size(abi), b -> XenMemoryReservation.decode(b, abi));
                if (r == null) {
                    c.note("memory_op: copy of the reservation faulted");
                    return start;
                }
                return reservation(c, op, start, r);
            }
            case XENMEM_exchange -> {
                return start != 0 ? c.error(EINVAL, "XENMEM_exchange: start_extent != 0") : c.unmodelled();
            }
            case XENMEM_maximum_ram_page -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_maximum_ram_page: start_extent != 0");
                }
                c.note("XENMEM_maximum_ram_page: the presented host's constant (a Hyper-V guest cannot see the host)");
                return MemoryOp.HOST_MAX_PAGE;
            }
            case XENMEM_current_reservation, XENMEM_maximum_reservation, XENMEM_maximum_gpfn -> {
                if (start != 0) {
                    return c.error(EINVAL, "memory_op: start_extent != 0");
                }
                XenMemoryDomain dom = read(m, arg, XenMemoryDomain.size(abi), b -> XenMemoryDomain.decode(b, abi));
                return dom == null ? c.error(EFAULT, "memory_op: copy in") : statReservation(c, op, dom.domid());
            }
            case XENMEM_add_to_physmap -> {
                if (start != (start & 0xFFFF)) {
                    return c.error(EDOM, "XENMEM_add_to_physmap: start_extent does not fit xatp.size");
                }
                XenAddToPhysmap x = read(m, arg, XenAddToPhysmap.size(abi), b -> XenAddToPhysmap.decode(b, abi));
                return x == null ? c.error(EFAULT, "XENMEM_add_to_physmap: copy in") : physmap.addToPhysmap(c, x, start);
            }
            case XENMEM_add_to_physmap_batch -> {
                if (start != (start & 0xFFFF)) {
                    return c.error(EDOM, "XENMEM_add_to_physmap_batch: start_extent does not fit xatpb.size");
                }
                return addToPhysmapBatch(c, arg, m, abi == Abi.XEN32 ? BATCH_SIZE_32 : BATCH_SIZE_64);
            }
            case XENMEM_remove_from_physmap -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_remove_from_physmap: start_extent != 0");
                }
                XenRemoveFromPhysmap x = read(m, arg, XenRemoveFromPhysmap.size(abi), b -> XenRemoveFromPhysmap.decode(b, abi));
                return x == null ? c.error(EFAULT, "XENMEM_remove_from_physmap: copy in")
                        : physmap.removeFromPhysmap(c, x.domid(), x.gpfn());
            }
            case XENMEM_claim_pages -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_claim_pages: start_extent != 0");
                }
                XenMemoryReservation r = read(m, arg, XenMemoryReservation.size(abi), b -> XenMemoryReservation.decode(b, abi));
                return r == null ? c.error(EFAULT, "XENMEM_claim_pages: copy in") : claimPages(c, r);
            }
            case XENMEM_get_vnumainfo -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_get_vnumainfo: start_extent != 0");
                }
                XenVnumaTopologyInfo t = read(m, arg, XenVnumaTopologyInfo.SIZE, b -> XenVnumaTopologyInfo.decode(b, abi));
                return t == null ? c.error(EFAULT, "XENMEM_get_vnumainfo: copy in") : getVnumainfo(c, t);
            }
            case XENMEM_access_op, XENMEM_reserved_device_memory_map, XENMEM_acquire_resource -> {
                return c.unmodelled();
            }
            default -> {
                return archMemoryOp(c, cmd, arg, m);
            }
        }
    }

    /** {@code arch_memory_op()}: a switch on the whole cmd, so start_extent ≠ 0 is -ENOSYS. */
    private long archMemoryOp(Call c, long cmd, long arg, GuestMemory m) {
        if (MemoryH.startExtent(cmd) != 0) {
            return c.error(ENOSYS, "arch_memory_op: no such cmd 0x" + Long.toHexString(cmd));
        }
        Abi abi = c.abi();
        return switch ((int) cmd) {
            case XENMEM_set_memory_map -> setMemoryMap(c, arg, m);
            case XENMEM_memory_map -> memoryMap(c, arg, m);
            case XENMEM_set_pod_target, XENMEM_get_pod_target -> {
                XenPodTarget t = read(m, arg, XenPodTarget.size(abi), b -> XenPodTarget.decode(b, abi));
                yield t == null ? c.error(EFAULT, "XENMEM_pod_target: copy in") : podTarget(c, cmd == XENMEM_set_pod_target, t.domid());
            }
            case XENMEM_machphys_mfn_list, XENMEM_paging_op -> c.unmodelled();
            case XENMEM_machphys_compat_mfn_list -> c.error(EOPNOTSUPP, "XENMEM_machphys_compat_mfn_list: no PV32");
            // No memory sharing: the counters are 0.
            case XENMEM_get_sharing_freed_pages, XENMEM_get_sharing_shared_pages -> 0;
            default -> c.error(ENOSYS, "arch_memory_op: no such cmd " + cmd);
        };
    }

    /** The 32-bit op ({@code compat_memory_op()}): copies and translates its struct first. */
    private long compat(Call c, long cmd, long arg, GuestMemory m) {
        int op = MemoryH.op(cmd);
        long start = MemoryH.startExtent(cmd);
        Abi abi = Abi.XEN32;
        switch (op) {
            case XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap -> {
                XenMemoryReservation r = read(m, arg, XenMemoryReservation.SIZE_32, b -> XenMemoryReservation.decode(b, abi));
                if (r == null) {
                    c.note("compat memory_op: copy of the reservation faulted");
                    return start;
                }
                // Nothing is done, so nothing is copied back (compat copies back only done extents).
                return reservation(c, op, start, r);
            }
            case XENMEM_exchange -> {
                return read(m, arg, COMPAT_EXCHANGE_SIZE, b -> b) == null ? c.error(EFAULT, "compat memory_op: copy in")
                        : c.unmodelled();
            }
            case XENMEM_current_reservation, XENMEM_maximum_reservation, XENMEM_maximum_gpfn, XENMEM_maximum_ram_page -> {
                return memoryOp(c, cmd, arg, m);
            }
            case XENMEM_add_to_physmap, XENMEM_remove_from_physmap, XENMEM_get_vnumainfo -> {
                int size = switch (op) {
                    case XENMEM_add_to_physmap -> XenAddToPhysmap.SIZE_32;
                    case XENMEM_remove_from_physmap -> XenRemoveFromPhysmap.SIZE_32;
                    default -> XenVnumaTopologyInfo.SIZE;
                };
                if (read(m, arg, size, b -> b) == null) {
                    return c.error(EFAULT, "compat memory_op: copy in");
                }
                return memoryOp(c, cmd, arg, m);
            }
            case XENMEM_add_to_physmap_batch -> {
                return addToPhysmapBatch(c, arg, m, BATCH_SIZE_32);
            }
            case XENMEM_access_op, XENMEM_acquire_resource -> {
                return c.unmodelled();
            }
            case XENMEM_reserved_device_memory_map -> {
                return start != 0 ? c.error(EINVAL, "XENMEM_reserved_device_memory_map: start_extent != 0") : c.unmodelled();
            }
            default -> {
                return compatArchMemoryOp(c, cmd, arg, m);
            }
        }
    }

    /** {@code compat_arch_memory_op()}: no compat claim_pages, no PV32 lists. */
    private long compatArchMemoryOp(Call c, long cmd, long arg, GuestMemory m) {
        if (MemoryH.startExtent(cmd) != 0) {
            return c.error(ENOSYS, "compat_arch_memory_op: no such cmd 0x" + Long.toHexString(cmd));
        }
        return switch ((int) cmd) {
            case XENMEM_set_memory_map -> setMemoryMap(c, arg, m);
            case XENMEM_memory_map -> memoryMap(c, arg, m);
            case XENMEM_set_pod_target, XENMEM_get_pod_target -> {
                XenPodTarget t = read(m, arg, XenPodTarget.SIZE_32, b -> XenPodTarget.decode(b, Abi.XEN32));
                yield t == null ? c.error(EFAULT, "compat XENMEM_pod_target: copy in")
                        : podTarget(c, cmd == XENMEM_set_pod_target, t.domid());
            }
            case XENMEM_machphys_mfn_list, XENMEM_machphys_compat_mfn_list ->
                    c.error(EOPNOTSUPP, "compat_arch_memory_op: no PV32");
            case XENMEM_get_sharing_freed_pages, XENMEM_get_sharing_shared_pages -> 0;
            case XENMEM_paging_op -> c.unmodelled();
            default -> c.error(ENOSYS, "compat_arch_memory_op: no such cmd " + cmd);
        };
    }

    /**
     * The reservation ops: Xen's early failures (more extents than a continuation encodes,
     * start_extent past the end, no such domain, bad mem_flags, dom0, an order above the limit) all
     * return start_extent; past them Xen would allocate, free or map pages, which a Hyper-V guest
     * cannot: a gap, and the adapter reports no extent done.
     */
    private long reservation(Call c, int op, long start, XenMemoryReservation r) {
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
        if (!memFlagsValid(r.memFlags())) {
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
        c.note("memory_op: " + (op == XENMEM_increase_reservation ? "increase_reservation"
                : op == XENMEM_decrease_reservation ? "decrease_reservation" : "populate_physmap")
                + ": no extent done (a Hyper-V guest cannot change its partition's memory: GPA mapping is the "
                + "parent's, ballooning is VMBus Dynamic Memory)");
        return start;
    }

    /**
     * {@code construct_memop_from_reservation()}: an address width below the host's and at most 12
     * bits is invalid; without vNUMA an exact node is refused to a domU; XENMEMF_vnode ignores the node.
     */
    private static boolean memFlagsValid(int memFlags) {
        int addressBits = memFlags & XENMEMF_ADDRESS_BITS_MASK;
        if (addressBits != 0 && addressBits < HOST_ADDRESS_BITS && addressBits <= PAGE_SHIFT) {
            return false;
        }
        if ((memFlags & XENMEMF_vnode) != 0) {
            return true;
        }
        int node = ((memFlags >>> 8) - 1) & 0xFF; // XENMEMF_get_node()
        return node == NUMA_NO_NODE || (memFlags & XENMEMF_exact_node_request) == 0;
    }

    /** current_reservation, maximum_reservation, maximum_gpfn: domain (-ESRCH), dom0 (-EPERM), the book's count. */
    private long statReservation(Call c, int op, int domid) {
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
    private long claimPages(Call c, XenMemoryReservation r) {
        if (r.extentStart() != 0 || r.extentOrder() != 0 || r.memFlags() != 0) {
            return c.error(EINVAL, "XENMEM_claim_pages: extent_start, extent_order and mem_flags must be 0");
        }
        if (s.byId(r.domid()) == Lookup.NONE) {
            return c.error(EINVAL, "XENMEM_claim_pages: no domain " + r.domid() + " (by id)");
        }
        return c.error(EPERM, "XENMEM_claim_pages: XSM_PRIV");
    }

    /** XENMEM_get_vnumainfo: pad (-EINVAL), domain (-ESRCH), dom0 (-EPERM), no vNUMA (-EOPNOTSUPP). */
    private long getVnumainfo(Call c, XenVnumaTopologyInfo t) {
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
    private long podTarget(Call c, boolean set, int domid) {
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

    /** XENMEM_add_to_physmap_batch: the copy, gmfn_range refused; past that unmodelled, as in the reference. */
    private long addToPhysmapBatch(Call c, long arg, GuestMemory m, int size) {
        byte[] b = read(m, arg, size, x -> x);
        if (b == null) {
            return c.error(EFAULT, "XENMEM_add_to_physmap_batch: copy in");
        }
        int space = (b[2] & 0xff) | (b[3] & 0xff) << 8;
        if (space == XENMAPSPACE_gmfn_range) {
            return c.error(EOPNOTSUPP, "XENMEM_add_to_physmap_batch: gmfn_range is for add_to_physmap");
        }
        return c.unmodelled();
    }

    /**
     * XENMEM_set_memory_map: copy (-EFAULT), more than E820MAX entries (-EINVAL), domain (-ESRCH),
     * dom0 (-EPERM), the entries (-EFAULT); they replace the adapter-held e820.
     */
    private long setMemoryMap(Call c, long arg, GuestMemory m) {
        Abi abi = c.abi();
        XenForeignMemoryMap f = read(m, arg, XenForeignMemoryMap.size(abi), b -> XenForeignMemoryMap.decode(b, abi));
        if (f == null) {
            return c.error(EFAULT, "XENMEM_set_memory_map: copy in");
        }
        if (Integer.toUnsignedLong(f.nrEntries()) > E820MAX) {
            return c.error(EINVAL, "XENMEM_set_memory_map: more than E820MAX entries");
        }
        Lookup target = s.byAnyId(f.domid());
        if (target == Lookup.NONE) {
            return c.error(ESRCH, "XENMEM_set_memory_map: no domain " + f.domid());
        }
        if (target == Lookup.DOM0) {
            return c.error(EPERM, "XENMEM_set_memory_map: XSM_TARGET on dom0");
        }
        int n = f.nrEntries();
        List<E820Entry> map = new ArrayList<>();
        try {
            byte[] raw = m.readLinear(f.buffer(), Math.multiplyExact(n, E820Entry.SIZE));
            for (int i = 0; i < n; i++) {
                map.add(E820Entry.decode(raw, i * E820Entry.SIZE));
            }
        } catch (GuestFault e) {
            return c.error(EFAULT, "XENMEM_set_memory_map: copy of the entries");
        }
        s.e820 = List.copyOf(map);
        c.note("XENMEM_set_memory_map: " + n + " entries, adapter-held");
        return 0;
    }

    /**
     * XENMEM_memory_map: copy (-EFAULT); no map set (-ENOSYS); the first min(nr_entries, n) entries
     * to the buffer and nr_entries back, either copy -EFAULT.
     */
    private long memoryMap(Call c, long arg, GuestMemory m) {
        Abi abi = c.abi();
        XenMemoryMap map = read(m, arg, XenMemoryMap.size(abi), b -> XenMemoryMap.decode(b, abi));
        if (map == null) {
            return c.error(EFAULT, "XENMEM_memory_map: copy in");
        }
        if (s.e820 == null || s.e820.isEmpty()) {
            return c.error(ENOSYS, "XENMEM_memory_map: the toolstack set no memory map");
        }
        int n = (int) Math.min(Integer.toUnsignedLong(map.nrEntries()), s.e820.size());
        byte[] raw = new byte[n * E820Entry.SIZE];
        for (int i = 0; i < n; i++) {
            s.e820.get(i).encodeInto(raw, i * E820Entry.SIZE);
        }
        try {
            m.writeLinear(map.buffer(), raw);
            m.writeLinear(arg, map.withNrEntries(n).encode(abi));
        } catch (GuestFault f) {
            return c.error(EFAULT, "XENMEM_memory_map: copy out");
        }
        c.note("XENMEM_memory_map: the toolstack's e820, adapter-held (no Hyper-V call)");
        return 0;
    }

    private interface Decoder<T> {
        T decode(byte[] b);
    }

    /** The decoded struct, or null when the copy faults. */
    private static <T> T read(GuestMemory m, long arg, int size, Decoder<T> decode) {
        try {
            return decode.decode(m.readLinear(arg, size));
        } catch (GuestFault f) {
            return null;
        }
    }

    /** The smallest order with 2^order ≥ n ({@code get_order_from_pages()}). */
    private static int orderOf(long n) {
        int order = 0;
        while ((1L << order) < n) {
            order++;
        }
        return order;
    }
}
