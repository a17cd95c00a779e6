package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Collections;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * A throwaway stand-in for the toolstack state of a fresh xl HVM domain, for the recorder's own
 * hvmloader test while the Xen model's {@code xen.domain=xl-hvm} is written elsewhere: it is NOT
 * a model and checks nothing Xen checks. It answers the few 32-bit calls xen-abi.md §8.3 lists as
 * hvmloader's minimum (XENMEM_memory_map, HVMOP_get_param of the store page and port, a
 * xenstore that answers XS_READ of hvmloader/bios with "seabios" and ENOENT otherwise, inside the
 * EVTCHNOP_send, XENMEM_add_to_physmap of shared_info with a vcpu_time_info hvmloader can
 * divide by, and XENMEM_populate_physmap, which "populates" every extent asked for: the recorder
 * backs hvmloader's reserved area with RAM already) and passes everything else (CPUID, MSRs, ports, MMIO, xen_version, sched_op) to the
 * bare reference model.
 */
final class MiniToolstack implements Backend {

    /** xen.h/memory.h/hvm_op.h/event_channel.h numbers of the calls intercepted. */
    private static final long MEMORY_OP = 12, HVM_OP = 34, EVENT_CHANNEL_OP = 32;
    private static final long XENMEM_POPULATE_PHYSMAP = 6, XENMEM_ADD_TO_PHYSMAP = 7, XENMEM_MEMORY_MAP = 9;
    private static final long HVMOP_GET_PARAM = 1, EVTCHNOP_SEND = 4;
    /** xg_dom_x86.c special_pfn(SPECIALPAGE_XENSTORE) and the store port libxl allocates first. */
    static final long STORE_PFN = 0xFEFFC;
    static final int STORE_PORT = 1;
    /** xs_wire.h: XS_READ 2, XS_ERROR 16; ring offsets of struct xenstore_domain_interface. */
    private static final int XS_READ = 2, XS_ERROR = 16;
    private static final int RING = 1024, REQ_CONS = 2048, REQ_PROD = 2052, RSP_PROD = 2060;

    private final XenBackend xen;
    private final long memory;
    private final int tscKhz;
    private long sharedInfo = -1;

    MiniToolstack(XenBackend xen, long memory, int tscKhz) {
        this.xen = xen;
        this.memory = memory;
        this.tscKhz = tscKhz;
    }

    @Override
    public String name() {
        return "mini-toolstack";
    }

    @Override
    public SortedMap<String, String> configuration() {
        return xen.configuration();
    }

    @Override
    public SortedSet<Long> ownedPages() {
        return sharedInfo < 0 ? Collections.emptySortedSet() : new TreeSet<>(java.util.List.of(sharedInfo));
    }

    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        if (request instanceof Hypercall h) {
            try {
                Long rc = intercept(h, memory);
                if (rc != null) {
                    return Observation.builder().returns(rc & 0xFFFF_FFFFL).build();
                }
            } catch (GuestFault f) {
                return Observation.builder().returns(-14L & 0xFFFF_FFFFL).build();
            }
        }
        return xen.serve(request, memory, nowNs);
    }

    private Long intercept(Hypercall h, GuestMemory m) throws GuestFault {
        if (h.call() == MEMORY_OP && h.arg(0) == XENMEM_MEMORY_MAP) {
            // compat xen_memory_map {u32 nr_entries; u32 buffer}; one e820 entry RAM [1 MiB, memory).
            ByteBuffer arg = le(m.readLinear(h.arg(1), 8));
            ByteBuffer e = ByteBuffer.allocate(20).order(ByteOrder.LITTLE_ENDIAN)
                    .putLong(0x100000).putLong(memory - 0x100000).putInt(1);
            m.writeLinear(Integer.toUnsignedLong(arg.getInt(4)), e.array());
            m.writeLinear(h.arg(1), le(4).putInt(1).array());
            return 0L;
        }
        if (h.call() == HVM_OP && h.arg(0) == HVMOP_GET_PARAM) {
            int index = le(m.readLinear(h.arg(1), 16)).getInt(4);
            long value = index == 1 ? STORE_PFN : index == 2 ? STORE_PORT : 0;
            m.writeLinear(h.arg(1) + 8, le(8).putLong(value).array());
            return 0L;
        }
        if (h.call() == EVENT_CHANNEL_OP && h.arg(0) == EVTCHNOP_SEND
                && le(m.readLinear(h.arg(1), 4)).getInt(0) == STORE_PORT) {
            xenstored(m);
            return 0L;
        }
        if (h.call() == MEMORY_OP && h.arg(0) == XENMEM_POPULATE_PHYSMAP) {
            // compat xen_memory_reservation: nr_extents @4; the extent count done is the result.
            return Integer.toUnsignedLong(le(m.readLinear(h.arg(1), 20)).getInt(4));
        }
        if (h.call() == MEMORY_OP && h.arg(0) == XENMEM_ADD_TO_PHYSMAP) {
            ByteBuffer x = le(m.readLinear(h.arg(1), 16));
            sharedInfo = Integer.toUnsignedLong(x.getInt(12)) << 12;
            // vcpu_info[0].time: version 2, tsc_to_system_mul = (10^6 << 32) / khz, shift 0.
            ByteBuffer t = le(32).putInt(0, 2).putInt(24, (int) ((1_000_000L << 32) / tscKhz));
            m.writePhysical(sharedInfo + 32, t.array());
            return 0L;
        }
        return null;
    }

    /** Answers every complete request in the ring (xs_wire.h), as a fresh domain's xenstored would. */
    private void xenstored(GuestMemory m) throws GuestFault {
        long ring = STORE_PFN << 12;
        int cons = le(m.readPhysical(ring + REQ_CONS, 4)).getInt(0);
        int prod = le(m.readPhysical(ring + REQ_PROD, 4)).getInt(0);
        int rsp = le(m.readPhysical(ring + RSP_PROD, 4)).getInt(0);
        while (prod - cons >= 16) {
            ByteBuffer hdr = le(read(m, ring, cons, 16));
            int len = hdr.getInt(12);
            String path = new String(read(m, ring, cons + 16, len), StandardCharsets.US_ASCII).replace("\0", "");
            cons += 16 + len;
            boolean bios = hdr.getInt(0) == XS_READ && path.equals("hvmloader/bios");
            byte[] body = (bios ? "seabios" : "ENOENT\0").getBytes(StandardCharsets.US_ASCII);
            ByteBuffer out = le(16 + body.length).putInt(bios ? XS_READ : XS_ERROR).putInt(hdr.getInt(4))
                    .putInt(hdr.getInt(8)).putInt(body.length).put(body);
            for (int i = 0; i < out.capacity(); i++) {
                m.writePhysical(ring + RING + ((rsp + i) & (RING - 1)), new byte[] {out.get(i)});
            }
            rsp += out.capacity();
        }
        m.writePhysical(ring + REQ_CONS, le(4).putInt(cons).array());
        m.writePhysical(ring + RSP_PROD, le(4).putInt(rsp).array());
    }

    private static byte[] read(GuestMemory m, long ring, int from, int len) throws GuestFault {
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = m.readPhysical(ring + ((from + i) & (RING - 1)), 1)[0];
        }
        return out;
    }

    private static ByteBuffer le(byte[] b) {
        return ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
    }

    private static ByteBuffer le(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
