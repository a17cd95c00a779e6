package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The decoded arguments of a recorded Xen hypercall, for {@code hcdiff show}: the argument
 * registers and the argument struct the call read, e.g.
 * {@code domid=DOMID_SELF space=shared_info idx=0 gpfn=0xfdfff} for XENMEM_add_to_physmap or
 * {@code domid=DOMID_SELF index=HVM_PARAM_STORE_PFN} for HVMOP_get_param. Only argument
 * structs: what a call means in the domain's state (which port is the store's) is not here.
 *
 * <p>Every dispatcher copies its argument struct before reading anything else, so the struct is
 * the first bytes of {@code reads} (possibly split over several chunks at page boundaries). When
 * the reads are too short to hold the struct (a fault, a call that reads nothing) the struct's
 * fields are left out.
 */
public final class XenCallDescriber {

    private XenCallDescriber() {
    }

    /**
     * @param h     the call as the guest made it
     * @param reads the guest memory the call read, in order (guest-physical chunks)
     * @return the decoded arguments, or "" when there is nothing to decode
     */
    public static String describe(Hypercall h, List<MemChunk> reads) {
        if (h.abi() == Abi.HV64) {
            return "";
        }
        boolean compat = h.abi() == Abi.XEN32;
        long a0 = compat ? h.arg(0) & 0xFFFF_FFFFL : h.arg(0);
        long a1 = compat ? h.arg(1) & 0xFFFF_FFFFL : h.arg(1);
        Optional<XenHypercall> call = XenHypercall.byNumber(compat ? h.call() & 0xFFFF_FFFFL : h.call());
        if (call.isEmpty()) {
            return "";
        }
        Bytes in = new Bytes(reads);
        return switch (call.get()) {
            case MEMORY_OP -> memoryOp(a0, h.abi(), in);
            case HVM_OP -> hvmOp(a0, h.abi(), in);
            case EVENT_CHANNEL_OP -> eventChannelOp((int) a0, h.abi(), in);
            case SCHED_OP -> schedOp((int) a0, h.abi(), in);
            case CONSOLE_IO -> (int) a0 == XenH.CONSOLEIO_write ? "count=" + Integer.toUnsignedString((int) a1) : "";
            case VM_ASSIST -> "cmd=" + (int) a0 + " type=" + (int) a1;
            default -> "";
        };
    }

    /** The first bytes the call read, concatenated. */
    private record Bytes(byte[] b) {
        Bytes(List<MemChunk> reads) {
            this(concat(reads));
        }

        private static byte[] concat(List<MemChunk> reads) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (MemChunk c : reads) {
                out.writeBytes(c.data());
            }
            return out.toByteArray();
        }

        /** The first {@code n} bytes, or null when fewer were read. */
        byte[] first(int n) {
            return b.length < n ? null : java.util.Arrays.copyOf(b, n);
        }
    }

    /** {@code DOMID_SELF} and the other reserved ids by name, real ids in decimal. */
    static String domid(int id) {
        return switch (id) {
            case XenH.DOMID_SELF -> "DOMID_SELF";
            case XenH.DOMID_IO -> "DOMID_IO";
            case XenH.DOMID_XEN -> "DOMID_XEN";
            case XenH.DOMID_COW -> "DOMID_COW";
            case XenH.DOMID_INVALID -> "DOMID_INVALID";
            case XenH.DOMID_IDLE -> "DOMID_IDLE";
            default -> Integer.toString(id);
        };
    }

    private static String hex(long v) {
        return "0x" + Long.toHexString(v);
    }

    private static String memoryOp(long cmd, Abi abi, Bytes in) {
        int op = MemoryH.op(cmd);
        long start = MemoryH.startExtent(cmd);
        StringJoiner s = new StringJoiner(" ");
        switch (op) {
            case MemoryH.XENMEM_increase_reservation, MemoryH.XENMEM_decrease_reservation,
                 MemoryH.XENMEM_populate_physmap, MemoryH.XENMEM_claim_pages -> {
                byte[] b = in.first(XenMemoryReservation.size(abi));
                if (b != null) {
                    XenMemoryReservation r = XenMemoryReservation.decode(b, abi);
                    s.add("domid=" + domid(r.domid())).add("nr_extents=" + Long.toUnsignedString(r.nrExtents()))
                            .add("extent_order=" + Integer.toUnsignedString(r.extentOrder()))
                            .add("mem_flags=" + hex(r.memFlags() & 0xFFFF_FFFFL))
                            .add("extent_start=" + hex(r.extentStart()));
                }
            }
            case MemoryH.XENMEM_current_reservation, MemoryH.XENMEM_maximum_reservation,
                 MemoryH.XENMEM_maximum_gpfn -> {
                byte[] b = in.first(XenMemoryDomain.SIZE);
                if (b != null) {
                    s.add("domid=" + domid(XenMemoryDomain.decode(b, abi).domid()));
                }
            }
            case MemoryH.XENMEM_add_to_physmap -> {
                byte[] b = in.first(XenAddToPhysmap.size(abi));
                if (b != null) {
                    XenAddToPhysmap x = XenAddToPhysmap.decode(b, abi);
                    s.add("domid=" + domid(x.domid())).add("space=" + MemoryH.spaceName(x.space() & 0xFFFF_FFFFL));
                    if (x.space() == MemoryH.XENMAPSPACE_gmfn_range) {
                        s.add("size=" + x.size());
                    }
                    s.add("idx=" + (x.idx() < 10 && x.idx() >= 0 ? Long.toString(x.idx()) : hex(x.idx())))
                            .add("gpfn=" + hex(x.gpfn()));
                }
            }
            case MemoryH.XENMEM_remove_from_physmap -> {
                byte[] b = in.first(XenRemoveFromPhysmap.size(abi));
                if (b != null) {
                    XenRemoveFromPhysmap x = XenRemoveFromPhysmap.decode(b, abi);
                    s.add("domid=" + domid(x.domid())).add("gpfn=" + hex(x.gpfn()));
                }
            }
            case MemoryH.XENMEM_memory_map -> {
                byte[] b = in.first(XenMemoryMap.size(abi));
                if (b != null) {
                    XenMemoryMap x = XenMemoryMap.decode(b, abi);
                    s.add("nr_entries=" + Integer.toUnsignedString(x.nrEntries())).add("buffer=" + hex(x.buffer()));
                }
            }
            case MemoryH.XENMEM_set_memory_map -> {
                byte[] b = in.first(XenForeignMemoryMap.size(abi));
                if (b != null) {
                    XenForeignMemoryMap x = XenForeignMemoryMap.decode(b, abi);
                    s.add("domid=" + domid(x.domid())).add("nr_entries=" + Integer.toUnsignedString(x.nrEntries()))
                            .add("buffer=" + hex(x.buffer()));
                }
            }
            case MemoryH.XENMEM_get_vnumainfo -> {
                byte[] b = in.first(XenVnumaTopologyInfo.SIZE);
                if (b != null) {
                    s.add("domid=" + domid(XenVnumaTopologyInfo.decode(b, abi).domid()));
                }
            }
            default -> {
            }
        }
        if (start != 0) {
            s.add("start_extent=" + Long.toUnsignedString(start));
        }
        return s.toString();
    }

    private static String hvmOp(long op, Abi abi, Bytes in) {
        if (op < 0 || op > Integer.MAX_VALUE) {
            return "";
        }
        switch ((int) op) {
            case HvmH.HVMOP_set_param, HvmH.HVMOP_get_param -> {
                byte[] b = in.first(XenHvmParam.SIZE);
                if (b == null) {
                    return "";
                }
                XenHvmParam p = XenHvmParam.decode(b, abi);
                String s = "domid=" + domid(p.domid()) + " index=" + HvmH.paramName(p.index() & 0xFFFF_FFFFL);
                return op == HvmH.HVMOP_set_param ? s + " value=" + hex(p.value()) : s;
            }
            case HvmH.HVMOP_set_evtchn_upcall_vector -> {
                byte[] b = in.first(XenHvmEvtchnUpcallVector.SIZE);
                if (b == null) {
                    return "";
                }
                XenHvmEvtchnUpcallVector v = XenHvmEvtchnUpcallVector.decode(b, abi);
                return "vcpu=" + Integer.toUnsignedString(v.vcpu()) + " vector=" + hex(v.vector());
            }
            case HvmH.HVMOP_get_mem_type -> {
                byte[] b = in.first(XenHvmGetMemType.SIZE);
                if (b == null) {
                    return "";
                }
                XenHvmGetMemType t = XenHvmGetMemType.decode(b, abi);
                return "domid=" + domid(t.domid()) + " pfn=" + hex(t.pfn());
            }
            case HvmH.HVMOP_pagetable_dying -> {
                byte[] b = in.first(XenHvmPagetableDying.SIZE);
                if (b == null) {
                    return "";
                }
                XenHvmPagetableDying p = XenHvmPagetableDying.decode(b, abi);
                return "domid=" + domid(p.domid()) + " gpa=" + hex(p.gpa());
            }
            default -> {
                return "";
            }
        }
    }

    private static String eventChannelOp(int cmd, Abi abi, Bytes in) {
        switch (cmd) {
            case EvtchnH.EVTCHNOP_send, EvtchnH.EVTCHNOP_close, EvtchnH.EVTCHNOP_unmask -> {
                byte[] b = in.first(4);
                return b == null ? "" : "port=" + Integer.toUnsignedString(Le.u32(b, 0));
            }
            case EvtchnH.EVTCHNOP_alloc_unbound -> {
                byte[] b = in.first(EvtchnAllocUnbound.SIZE);
                if (b == null) {
                    return "";
                }
                EvtchnAllocUnbound a = EvtchnAllocUnbound.decode(b, abi);
                return "dom=" + domid(a.dom()) + " remote_dom=" + domid(a.remoteDom());
            }
            case EvtchnH.EVTCHNOP_bind_interdomain -> {
                byte[] b = in.first(12);
                return b == null ? "" : "remote_dom=" + domid(Le.u16(b, 0)) + " remote_port="
                        + Integer.toUnsignedString(Le.u32(b, 4));
            }
            case EvtchnH.EVTCHNOP_bind_virq -> {
                byte[] b = in.first(12);
                return b == null ? "" : "virq=" + Integer.toUnsignedString(Le.u32(b, 0)) + " vcpu="
                        + Integer.toUnsignedString(Le.u32(b, 4));
            }
            case EvtchnH.EVTCHNOP_bind_ipi -> {
                byte[] b = in.first(8);
                return b == null ? "" : "vcpu=" + Integer.toUnsignedString(Le.u32(b, 0));
            }
            case EvtchnH.EVTCHNOP_bind_vcpu -> {
                byte[] b = in.first(8);
                return b == null ? "" : "port=" + Integer.toUnsignedString(Le.u32(b, 0)) + " vcpu="
                        + Integer.toUnsignedString(Le.u32(b, 4));
            }
            case EvtchnH.EVTCHNOP_status -> {
                byte[] b = in.first(EvtchnStatus.SIZE);
                return b == null ? "" : "dom=" + domid(Le.u16(b, 0)) + " port=" + Integer.toUnsignedString(Le.u32(b, 4));
            }
            case EvtchnH.EVTCHNOP_reset -> {
                byte[] b = in.first(2);
                return b == null ? "" : "dom=" + domid(Le.u16(b, 0));
            }
            default -> {
                return "";
            }
        }
    }

    private static String schedOp(int cmd, Abi abi, Bytes in) {
        switch (cmd) {
            case SchedH.SCHEDOP_shutdown, SchedH.SCHEDOP_shutdown_code -> {
                byte[] b = in.first(4);
                return b == null ? "" : "reason=" + SchedH.shutdownName(Le.u32(b, 0));
            }
            case SchedH.SCHEDOP_poll -> {
                byte[] b = in.first(SchedPoll.size(abi));
                if (b == null) {
                    return "";
                }
                SchedPoll p = SchedPoll.decode(b, abi);
                StringJoiner s = new StringJoiner(" ");
                s.add("nr_ports=" + Integer.toUnsignedString(p.nrPorts())).add("timeout=" + p.timeout());
                byte[] all = in.b();
                int n = (int) Math.min(Integer.toUnsignedLong(p.nrPorts()), (all.length - b.length) / 4);
                if (n > 0) {
                    StringJoiner ports = new StringJoiner(",", "ports=[", "]");
                    for (int i = 0; i < n; i++) {
                        ports.add(Integer.toUnsignedString(Le.u32(all, b.length + 4 * i)));
                    }
                    s.add(ports.toString());
                }
                return s.toString();
            }
            case SchedH.SCHEDOP_remote_shutdown -> {
                byte[] b = in.first(8);
                return b == null ? "" : "domain_id=" + domid(Le.u16(b, 0)) + " reason=" + SchedH.shutdownName(Le.u32(b, 4));
            }
            case SchedH.SCHEDOP_watchdog -> {
                byte[] b = in.first(8);
                return b == null ? "" : "id=" + Integer.toUnsignedString(Le.u32(b, 0)) + " timeout="
                        + Integer.toUnsignedString(Le.u32(b, 4));
            }
            default -> {
                return "";
            }
        }
    }
}
