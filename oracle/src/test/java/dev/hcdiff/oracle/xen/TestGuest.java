package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnBindInterdomain;
import dev.hcdiff.oracle.xen.abi.EvtchnBindIpi;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVcpu;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.EvtchnClose;
import dev.hcdiff.oracle.xen.abi.EvtchnSend;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.EvtchnUnmask;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;

import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_alloc_unbound;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_interdomain;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_ipi;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_vcpu;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_bind_virq;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_close;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_send;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_status;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNOP_unmask;

/**
 * A guest for tests: 1 MiB of {@link FlatRam}, a {@link XenBackend}, and helpers that place an
 * argument struct at {@link #ARG} and make the hypercall through {@link Serving}, as the recorder
 * and the replayer do.
 */
final class TestGuest {

    /** Where argument structs go (guest-physical = linear). */
    static final long ARG = 0x2000;
    /** RAM size. */
    static final int RAM = 1 << 20;

    final FlatRam ram = new FlatRam(RAM);
    final XenBackend xen;
    long now;
    Observation last;
    Serving.Served lastServed;

    TestGuest() {
        this(XenConfig.defaults());
    }

    TestGuest(XenConfig config) {
        this.xen = new XenBackend(config);
    }

    static TestGuest withVcpus(int vcpus) {
        XenConfig d = XenConfig.defaults();
        return new TestGuest(new XenConfig(d.version(), d.build(), d.domid(), vcpus, d.vendor(), d.cpuidBase(),
                d.maxEvtchnPort(), d.tscKhz(), d.uuid()));
    }

    static TestGuest withMaxPort(int maxPort) {
        XenConfig d = XenConfig.defaults();
        return new TestGuest(new XenConfig(d.version(), d.build(), d.domid(), d.vcpus(), d.vendor(), d.cpuidBase(),
                maxPort, d.tscKhz(), d.uuid()));
    }

    Observation serve(GuestRequest request) {
        lastServed = Serving.serve(xen, request, ram, now);
        last = lastServed.observation();
        return last;
    }

    /** A hypercall from vCPU 0 in 64-bit mode. */
    Observation call(XenHypercall nr, long... args) {
        return call(0, Abi.XEN64, nr.number(), args);
    }

    Observation call(int vcpu, Abi abi, long nr, long... args) {
        long[] six = new long[Hypercall.ARG_COUNT];
        System.arraycopy(args, 0, six, 0, args.length);
        return serve(new Hypercall(vcpu, abi, nr, six));
    }

    /** The result register of the last call as a long (sign-extended for XEN64). */
    long rc() {
        return last.result();
    }

    void put(long gpa, byte[] bytes) {
        try {
            ram.writePhysical(gpa, bytes);
        } catch (GuestFault e) {
            throw new AssertionError(e);
        }
    }

    byte[] get(long gpa, int len) {
        try {
            return ram.readPhysical(gpa, len);
        } catch (GuestFault e) {
            throw new AssertionError(e);
        }
    }

    /** event_channel_op(cmd, ARG) from {@code vcpu} with {@code struct} at ARG; returns rc. */
    long evtchnOp(int vcpu, int cmd, byte[] struct) {
        put(ARG, struct);
        call(vcpu, Abi.XEN64, XenHypercall.EVENT_CHANNEL_OP.number(), cmd, ARG);
        return rc();
    }

    long evtchnOp(int cmd, byte[] struct) {
        return evtchnOp(0, cmd, struct);
    }

    /** alloc_unbound(DOMID_SELF, remote): the port, or the negative rc. */
    long allocUnbound(int remote) {
        long rc = evtchnOp(EVTCHNOP_alloc_unbound, new EvtchnAllocUnbound(XenH.DOMID_SELF, remote, 0).encode(Abi.XEN64));
        return rc != 0 ? rc : EvtchnAllocUnbound.decode(get(ARG, 8), Abi.XEN64).port();
    }

    long bindInterdomain(int remoteDom, int remotePort) {
        long rc = evtchnOp(EVTCHNOP_bind_interdomain, new EvtchnBindInterdomain(remoteDom, remotePort, 0).encode(Abi.XEN64));
        return rc != 0 ? rc : EvtchnBindInterdomain.decode(get(ARG, 12), Abi.XEN64).localPort();
    }

    long bindVirq(int virq, int vcpu) {
        long rc = evtchnOp(EVTCHNOP_bind_virq, new EvtchnBindVirq(virq, vcpu, 0).encode(Abi.XEN64));
        return rc != 0 ? rc : EvtchnBindVirq.decode(get(ARG, 12), Abi.XEN64).port();
    }

    long bindIpi(int vcpu) {
        long rc = evtchnOp(EVTCHNOP_bind_ipi, new EvtchnBindIpi(vcpu, 0).encode(Abi.XEN64));
        return rc != 0 ? rc : EvtchnBindIpi.decode(get(ARG, 8), Abi.XEN64).port();
    }

    long close(long port) {
        return evtchnOp(EVTCHNOP_close, new EvtchnClose((int) port).encode(Abi.XEN64));
    }

    long send(long port) {
        return evtchnOp(EVTCHNOP_send, new EvtchnSend((int) port).encode(Abi.XEN64));
    }

    long send(int vcpu, long port) {
        return evtchnOp(vcpu, EVTCHNOP_send, new EvtchnSend((int) port).encode(Abi.XEN64));
    }

    long unmask(long port) {
        return evtchnOp(EVTCHNOP_unmask, new EvtchnUnmask((int) port).encode(Abi.XEN64));
    }

    long bindVcpu(long port, int vcpu) {
        return evtchnOp(EVTCHNOP_bind_vcpu, new EvtchnBindVcpu((int) port, vcpu).encode(Abi.XEN64));
    }

    /** status(DOMID_SELF, port): the struct Xen wrote back, or null on error (see {@link #rc()}). */
    EvtchnStatus status(long port) {
        long rc = evtchnOp(EVTCHNOP_status, new EvtchnStatus(XenH.DOMID_SELF, (int) port).encode(Abi.XEN64));
        return rc != 0 ? null : EvtchnStatus.decode(get(ARG, 24), Abi.XEN64);
    }

    /** memory_op(XENMEM_add_to_physmap, {DOMID_SELF, shared_info, 0, gpfn}) from vCPU 0 (64-bit); returns rc. */
    long mapSharedInfo(long gpfn) {
        put(ARG, new dev.hcdiff.oracle.xen.abi.XenAddToPhysmap(XenH.DOMID_SELF, 0,
                dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_shared_info, 0, gpfn).encode(Abi.XEN64));
        call(XenHypercall.MEMORY_OP, dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_add_to_physmap, ARG);
        return rc();
    }

    /** The guest software-enables {@code vcpu}'s LAPIC (SPIV = 0x1FF), as hvmloader's apic_setup() does. */
    void enableLapic(int vcpu) {
        serve(new dev.hcdiff.trace.record.MmioWrite(vcpu, 0xFEE000F0L, 4, 0x1FF));
    }

    /** Where tests map shared_info when they need the guest to write into it. */
    static final long SHINFO = 0x80000;

    /**
     * The guest writes one byte of shared_info between exits, as the recorder captures it; maps the
     * page at {@link #SHINFO} first with XENMEM_add_to_physmap(XENMAPSPACE_shared_info).
     */
    void guestWriteShinfo(int offset, byte value) {
        if (xen.domain().sharedInfo().mappedGpa() < 0) {
            mapSharedInfo(SHINFO >> 12);
        }
        put(SHINFO + offset, new byte[] {value});
        serve(new GuestWrite(0, new MemChunk(SHINFO + offset, new byte[] {value})));
    }

    /** The guest sets a port's mask bit in shared_info (64-bit layout). */
    void mask(int port) {
        int off = SharedInfo.EVTCHN_MASK_64 + port / 8;
        byte b = xen.domain().sharedInfo().bytes()[off];
        guestWriteShinfo(off, (byte) (b | 1 << (port % 8)));
    }
}
