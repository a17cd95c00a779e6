package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.CallContext;
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

/**
 * {@code hvm_memory_op()} (xen/arch/x86/hvm/hypercall.c): machine_memory_map and machphys_mapping
 * are -ENOSYS for HVM; then {@code do_memory_op()} (xen/common/memory.c, falling through to
 * {@code arch_memory_op()} and {@code subarch_memory_op()}) for 64-bit callers and
 * {@code compat_memory_op()} (xen/common/compat/memory.c, falling through to
 * {@code compat_arch_memory_op()}) for 32-bit ones.
 *
 * <p>The two paths differ in order, and the order is guest-visible: compat copies and translates
 * the 32-bit struct <em>before</em> do_memory_op checks {@code start_extent}, so a call with both a
 * bad struct pointer and a bad start_extent is -EFAULT from a 32-bit guest and -EDOM/-EINVAL from a
 * 64-bit one; XENMEM_claim_pages has no compat translation (-ENOSYS for 32-bit callers).
 *
 * <p>Modelled: the reservation ops, maximum_ram_page, current/maximum_reservation, maximum_gpfn,
 * add_to_physmap (every space), remove_from_physmap, memory_map, set_memory_map, claim_pages,
 * get_vnumainfo, set/get_pod_target, the sharing counters, and Xen's -ENOSYS/-EOPNOTSUPP for what
 * the Debian build lacks. Unmodelled (-ENOSYS, trail "unmodelled"): exchange,
 * add_to_physmap_batch past its permission check, access_op, reserved_device_memory_map,
 * acquire_resource, paging_op, machphys_mfn_list (it reveals host frames).
 *
 * <p>This is the argument decoding and validation both personalities share: the reference
 * ({@link MemoryOpDispatcher} over {@link dev.hcdiff.oracle.xen.MemoryOp}) and the Xen-to-Hyper-V
 * adapter (over its own state); what happens past the copies is the {@link MemoryOpHandler}'s.
 *
 * @param <C> the caller's context
 */
public final class MemoryOpDecoder<C extends CallContext> {

    private final MemoryOpHandler<C> memory;

    public MemoryOpDecoder(MemoryOpHandler<C> memory) {
        this.memory = memory;
    }

    /**
     * @param cmd the command: op | start_extent &lt;&lt; 6 (all of rdi, or of ebx for 32-bit callers)
     * @param arg guest linear address of the argument
     * @see xen/arch/x86/hvm/hypercall.c hvm_memory_op
     */
    public long hvmMemoryOp(C current, long cmd, long arg, GuestMemory m) {
        int op = MemoryH.op(cmd);
        if (op == XENMEM_machine_memory_map || op == XENMEM_machphys_mapping) {
            return current.error(ENOSYS, "hvm_memory_op: " + (op == XENMEM_machine_memory_map
                    ? "XENMEM_machine_memory_map" : "XENMEM_machphys_mapping") + " is not for HVM");
        }
        return current.abi() == Abi.XEN32 ? compatMemoryOp(current, cmd & 0xFFFF_FFFFL, arg, m)
                : doMemoryOp(current, cmd, arg, m);
    }

    /** @see xen/common/memory.c do_memory_op */
    private long doMemoryOp(C c, long cmd, long arg, GuestMemory m) {
        int op = MemoryH.op(cmd);
        long start = MemoryH.startExtent(cmd);
        Abi abi = c.abi();
        switch (op) {
            case XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap -> {
                XenMemoryReservation r = read(m, arg, XenMemoryReservation.size(abi), b -> XenMemoryReservation.decode(b, abi));
                if (r == null) {
                    c.note("do_memory_op: copy_from_guest of the reservation");
                    return start;
                }
                return memory.reservation(c, op, start, r, list(m, r, abi));
            }
            case XENMEM_exchange -> {
                return start != 0 ? c.error(EINVAL, "XENMEM_exchange: start_extent != 0") : c.unmodelled();
            }
            case XENMEM_maximum_ram_page -> {
                return start != 0 ? c.error(EINVAL, "XENMEM_maximum_ram_page: start_extent != 0") : memory.maximumRamPage(c);
            }
            case XENMEM_current_reservation, XENMEM_maximum_reservation, XENMEM_maximum_gpfn -> {
                if (start != 0) {
                    return c.error(EINVAL, "do_memory_op: start_extent != 0");
                }
                XenMemoryDomain dom = read(m, arg, XenMemoryDomain.size(abi), b -> XenMemoryDomain.decode(b, abi));
                return dom == null ? c.error(EFAULT, "do_memory_op: copy_from_guest")
                        : memory.memoryStatReservation(c, op, dom.domid());
            }
            case XENMEM_add_to_physmap -> {
                if (start != (start & 0xFFFF)) {
                    return c.error(EDOM, "XENMEM_add_to_physmap: start_extent does not fit xatp.size");
                }
                XenAddToPhysmap x = read(m, arg, XenAddToPhysmap.size(abi), b -> XenAddToPhysmap.decode(b, abi));
                return x == null ? c.error(EFAULT, "XENMEM_add_to_physmap: copy_from_guest")
                        : memory.addToPhysmap(c, x, start);
            }
            case XENMEM_add_to_physmap_batch -> {
                if (start != (start & 0xFFFF)) {
                    return c.error(EDOM, "XENMEM_add_to_physmap_batch: start_extent does not fit xatpb.size");
                }
                return addToPhysmapBatch(c, arg, m, abi == Abi.XEN32 ? 24 : 40);
            }
            case XENMEM_remove_from_physmap -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_remove_from_physmap: start_extent != 0");
                }
                XenRemoveFromPhysmap x = read(m, arg, XenRemoveFromPhysmap.size(abi), b -> XenRemoveFromPhysmap.decode(b, abi));
                return x == null ? c.error(EFAULT, "XENMEM_remove_from_physmap: copy_from_guest")
                        : memory.removeFromPhysmap(c, x.domid(), x.gpfn());
            }
            case XENMEM_claim_pages -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_claim_pages: start_extent != 0");
                }
                XenMemoryReservation r = read(m, arg, XenMemoryReservation.size(abi), b -> XenMemoryReservation.decode(b, abi));
                return r == null ? c.error(EFAULT, "XENMEM_claim_pages: copy_from_guest") : memory.claimPages(c, r);
            }
            case XENMEM_get_vnumainfo -> {
                if (start != 0) {
                    return c.error(EINVAL, "XENMEM_get_vnumainfo: start_extent != 0");
                }
                XenVnumaTopologyInfo t = read(m, arg, XenVnumaTopologyInfo.SIZE, b -> XenVnumaTopologyInfo.decode(b, abi));
                return t == null ? c.error(EFAULT, "XENMEM_get_vnumainfo: copy_from_guest") : memory.getVnumainfo(c, t);
            }
            case XENMEM_access_op, XENMEM_reserved_device_memory_map, XENMEM_acquire_resource -> {
                return c.unmodelled();
            }
            default -> {
                return archMemoryOp(c, cmd, arg, m);
            }
        }
    }

    /** @see xen/arch/x86/mm.c arch_memory_op (and subarch_memory_op): a switch on the whole cmd */
    private long archMemoryOp(C c, long cmd, long arg, GuestMemory m) {
        if (MemoryH.startExtent(cmd) != 0) {
            return c.error(ENOSYS, "arch_memory_op: no such cmd 0x" + Long.toHexString(cmd));
        }
        Abi abi = c.abi();
        return switch ((int) cmd) {
            case XENMEM_set_memory_map -> setMemoryMap(c, arg, m);
            case XENMEM_memory_map -> memoryMap(c, arg, m);
            case XENMEM_set_pod_target, XENMEM_get_pod_target -> {
                XenPodTarget t = read(m, arg, XenPodTarget.size(abi), b -> XenPodTarget.decode(b, abi));
                yield t == null ? c.error(EFAULT, "XENMEM_pod_target: copy_from_guest")
                        : memory.podTarget(c, cmd == XENMEM_set_pod_target, t.domid());
            }
            // subarch_memory_op(): the host's M2P frames: host state.
            case XENMEM_machphys_mfn_list -> c.unmodelled();
            // Debian's build has CONFIG_PV but not CONFIG_PV32: !opt_pv32.
            case XENMEM_machphys_compat_mfn_list -> c.error(EOPNOTSUPP, "XENMEM_machphys_compat_mfn_list: no PV32");
            // Without CONFIG_MEM_SHARING the counters are 0.
            case XENMEM_get_sharing_freed_pages, XENMEM_get_sharing_shared_pages -> 0;
            case XENMEM_paging_op -> c.unmodelled();
            default -> c.error(ENOSYS, "subarch_memory_op: no such cmd " + cmd);
        };
    }

    /** @see xen/common/compat/memory.c compat_memory_op */
    private long compatMemoryOp(C c, long cmd, long arg, GuestMemory m) {
        int op = MemoryH.op(cmd);
        long start = MemoryH.startExtent(cmd);
        Abi abi = Abi.XEN32;
        switch (op) {
            case XENMEM_increase_reservation, XENMEM_decrease_reservation, XENMEM_populate_physmap -> {
                XenMemoryReservation r = read(m, arg, XenMemoryReservation.SIZE_32, b -> XenMemoryReservation.decode(b, abi));
                if (r == null) {
                    c.note("compat_memory_op: copy_from_guest of the reservation");
                    return start;
                }
                if (Long.compareUnsigned(r.nrExtents(), MemoryOp.MAX_NR_EXTENTS) > 0) {
                    c.note("compat_memory_op: nr_extents too large for a continuation");
                    return start;
                }
                long done = memory.reservation(c, op, start, r, list(m, r, abi));
                if (op != XENMEM_decrease_reservation && r.extentStart() != 0) {
                    compatCopyBack(c, op, r, start, done, m);
                }
                return done;
            }
            case XENMEM_exchange -> {
                // struct compat_memory_exchange: in (20) + out (20) + nr_exchanged (4).
                return read(m, arg, 44, b -> b) == null ? c.error(EFAULT, "compat_memory_op: copy_from_guest")
                        : c.unmodelled();
            }
            case XENMEM_current_reservation, XENMEM_maximum_reservation, XENMEM_maximum_gpfn,
                 XENMEM_maximum_ram_page -> {
                return doMemoryOp(c, cmd, arg, m); // nat.hnd = compat: the same struct
            }
            case XENMEM_add_to_physmap, XENMEM_remove_from_physmap, XENMEM_get_vnumainfo -> {
                int size = switch (op) {
                    case XENMEM_add_to_physmap -> XenAddToPhysmap.SIZE_32;
                    case XENMEM_remove_from_physmap -> XenRemoveFromPhysmap.SIZE_32;
                    default -> XenVnumaTopologyInfo.SIZE;
                };
                if (read(m, arg, size, b -> b) == null) {
                    return c.error(EFAULT, "compat_memory_op: copy_from_guest");
                }
                return doMemoryOp(c, cmd, arg, m); // translated into the xlat area, then the native op
            }
            case XENMEM_add_to_physmap_batch -> {
                return addToPhysmapBatch(c, arg, m, 24);
            }
            case XENMEM_access_op, XENMEM_acquire_resource -> {
                return c.unmodelled();
            }
            case XENMEM_reserved_device_memory_map -> {
                return start != 0 ? c.error(EINVAL, "XENMEM_reserved_device_memory_map: start_extent != 0")
                        : c.unmodelled();
            }
            default -> {
                return compatArchMemoryOp(c, cmd, arg, m);
            }
        }
    }

    /** @see xen/arch/x86/x86_64/compat/mm.c compat_arch_memory_op: a switch on the whole cmd */
    private long compatArchMemoryOp(C c, long cmd, long arg, GuestMemory m) {
        if (MemoryH.startExtent(cmd) != 0) {
            return c.error(ENOSYS, "compat_arch_memory_op: no such cmd 0x" + Long.toHexString(cmd));
        }
        return switch ((int) cmd) {
            case XENMEM_set_memory_map -> setMemoryMap(c, arg, m);
            case XENMEM_memory_map -> memoryMap(c, arg, m);
            case XENMEM_set_pod_target, XENMEM_get_pod_target -> {
                XenPodTarget t = read(m, arg, XenPodTarget.SIZE_32, b -> XenPodTarget.decode(b, Abi.XEN32));
                yield t == null ? c.error(EFAULT, "compat_arch_memory_op: copy_from_guest")
                        : memory.podTarget(c, cmd == XENMEM_set_pod_target, t.domid());
            }
            case XENMEM_machphys_mfn_list, XENMEM_machphys_compat_mfn_list ->
                    c.error(EOPNOTSUPP, "compat_arch_memory_op: no PV32");
            case XENMEM_get_sharing_freed_pages, XENMEM_get_sharing_shared_pages -> 0;
            case XENMEM_paging_op -> c.unmodelled();
            // Everything else, XENMEM_claim_pages included (it has no compat translation).
            default -> c.error(ENOSYS, "compat_arch_memory_op: no such cmd " + cmd);
        };
    }

    /**
     * compat_memory_op() copies the translated frame list back for populate_physmap and
     * increase_reservation: for populate, the frames the guest passed (unchanged for a translated
     * domain); for increase, the per-vCPU translation area's leftover contents, which the model
     * cannot know and does not write.
     */
    private static void compatCopyBack(CallContext c, int op, XenMemoryReservation r, long start, long done, GuestMemory m) {
        if (op == XENMEM_increase_reservation) {
            c.note("compat_memory_op: increase_reservation copies the xlat area back (host state, not modelled)");
            return;
        }
        for (long i = start; Long.compareUnsigned(i, done) < 0; i++) {
            long at = r.extentStart() + i * 4;
            try {
                byte[] pfn = m.readLinear(at, 4);
                m.writeLinear(at, pfn);
            } catch (GuestFault f) {
                c.note("compat_memory_op: copy-back of extent " + i + " faulted");
                return;
            }
        }
    }

    /** The argument check of XENMEM_add_to_physmap_batch up to its per-entry work, which is unmodelled. */
    private long addToPhysmapBatch(C c, long arg, GuestMemory m, int size) {
        byte[] b = read(m, arg, size, x -> x);
        if (b == null) {
            return c.error(EFAULT, "XENMEM_add_to_physmap_batch: copy_from_guest");
        }
        int space = (b[2] & 0xff) | (b[3] & 0xff) << 8;
        if (space == XENMAPSPACE_gmfn_range) {
            return c.error(EOPNOTSUPP, "XENMEM_add_to_physmap_batch: gmfn_range is for add_to_physmap");
        }
        return c.unmodelled();
    }

    /** XENMEM_set_memory_map: copy the foreign map (-EFAULT), then the sub-op reads the entries. */
    private long setMemoryMap(C c, long arg, GuestMemory m) {
        Abi abi = c.abi();
        XenForeignMemoryMap f = read(m, arg, XenForeignMemoryMap.size(abi), b -> XenForeignMemoryMap.decode(b, abi));
        if (f == null) {
            return c.error(EFAULT, "XENMEM_set_memory_map: copy_from_guest");
        }
        return memory.setMemoryMap(c, f.domid(), f.nrEntries(), n -> {
            byte[] raw = m.readLinear(f.buffer(), Math.multiplyExact(n, E820Entry.SIZE));
            List<E820Entry> out = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                out.add(E820Entry.decode(raw, i * E820Entry.SIZE));
            }
            return out;
        });
    }

    /**
     * XENMEM_memory_map: copy the struct (-EFAULT), the sub-op's checks, then copy the entries to
     * the buffer and the struct (with nr_entries = entries copied) back, either failing -EFAULT.
     */
    private long memoryMap(C c, long arg, GuestMemory m) {
        Abi abi = c.abi();
        XenMemoryMap map = read(m, arg, XenMemoryMap.size(abi), b -> XenMemoryMap.decode(b, abi));
        if (map == null) {
            return c.error(EFAULT, "XENMEM_memory_map: copy_from_guest");
        }
        List<E820Entry> entries = memory.memoryMap(c, map.nrEntries());
        if (entries == null) {
            return -ENOSYS;
        }
        byte[] raw = new byte[entries.size() * E820Entry.SIZE];
        for (int i = 0; i < entries.size(); i++) {
            entries.get(i).encodeInto(raw, i * E820Entry.SIZE);
        }
        try {
            m.writeLinear(map.buffer(), raw);
            m.writeLinear(arg, map.withNrEntries(entries.size()).encode(abi));
        } catch (GuestFault f) {
            return c.error(EFAULT, "XENMEM_memory_map: copy_to_guest");
        }
        return 0;
    }

    /** A guest's frame list: xen_pfn_t (8 bytes) entries, compat_pfn_t (4) for 32-bit callers. */
    private static MemoryOp.ExtentList list(GuestMemory m, XenMemoryReservation r, Abi abi) {
        int size = XenMemoryReservation.pfnSize(abi);
        return i -> {
            byte[] b = m.readLinear(r.extentStart() + i * size, size);
            long v = 0;
            for (int k = size - 1; k >= 0; k--) {
                v = v << 8 | (b[k] & 0xff);
            }
            return v;
        };
    }

    private interface Decoder<T> {
        T decode(byte[] b);
    }

    /** copy_from_guest: the decoded struct, or null when the copy faults. */
    private static <T> T read(GuestMemory m, long arg, int size, Decoder<T> decode) {
        try {
            return decode.decode(m.readLinear(arg, size));
        } catch (GuestFault f) {
            return null;
        }
    }
}
