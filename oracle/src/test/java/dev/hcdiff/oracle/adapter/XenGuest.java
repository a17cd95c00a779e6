package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;

/**
 * A test guest: its own RAM, argument structs at {@link #ARG}, and Xen 64-bit hypercalls served by a
 * backend. Struct layouts are written here by hand from xen-abi.md's appendix, not with the ABI
 * records under test.
 */
final class XenGuest {

    /** Where argument structs go. */
    static final long ARG = 0x1000;
    /** Hypercall numbers, xen/include/public/xen.h. */
    static final long MEMORY_OP = 12, XEN_VERSION = 17, CONSOLE_IO = 18, SCHED_OP = 29, EVENT_CHANNEL_OP = 32;
    /** EVTCHNOP_*, xen/include/public/event_channel.h. */
    static final int BIND_INTERDOMAIN = 0, BIND_VIRQ = 1, CLOSE = 3, SEND = 4, STATUS = 5, ALLOC_UNBOUND = 6,
            BIND_IPI = 7, UNMASK = 9;
    /** SCHEDOP_*, xen/include/public/sched.h. */
    static final int YIELD = 0, BLOCK = 1, SHUTDOWN = 2;
    /** DOMID_SELF, xen.h. */
    static final int DOMID_SELF = 0x7FF0;

    final FlatRam ram = new FlatRam(0x10000);
    final Backend backend;
    long now = 1_000_000;

    XenGuest(Backend backend) {
        this.backend = backend;
    }

    Observation serve(GuestRequest r) {
        return Serving.serve(backend, r, ram, now).observation();
    }

    Observation hypercall(long nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return serve(new Hypercall(0, Abi.XEN64, nr, a));
    }

    /** event_channel_op(cmd, ARG) with {@code struct} at ARG. */
    Observation evtchn(int cmd, byte[] struct) {
        put(ARG, struct);
        return hypercall(EVENT_CHANNEL_OP, cmd, ARG);
    }

    /** evtchn_send / close / unmask: {evtchn_port_t port} (4 bytes). */
    Observation evtchnPort(int cmd, int port) {
        return evtchn(cmd, le32(port));
    }

    /** struct evtchn_alloc_unbound {u16 dom @0, u16 remote_dom @2, u32 port @4}. */
    static byte[] allocUnbound(int dom, int remote) {
        byte[] b = new byte[8];
        b[0] = (byte) dom;
        b[1] = (byte) (dom >> 8);
        b[2] = (byte) remote;
        b[3] = (byte) (remote >> 8);
        return b;
    }

    /** struct evtchn_bind_interdomain {u16 remote_dom @0, pad, u32 remote_port @4, u32 local_port @8}. */
    static byte[] bindInterdomain(int remoteDom, int remotePort) {
        byte[] b = new byte[12];
        b[0] = (byte) remoteDom;
        b[1] = (byte) (remoteDom >> 8);
        System.arraycopy(le32(remotePort), 0, b, 4, 4);
        return b;
    }

    /** struct evtchn_bind_ipi {u32 vcpu @0, u32 port @4}. */
    static byte[] bindIpi(int vcpu) {
        byte[] b = new byte[8];
        System.arraycopy(le32(vcpu), 0, b, 0, 4);
        return b;
    }

    /** struct evtchn_status {u16 dom @0, pad, u32 port @4, u32 status @8, u32 vcpu @12, u64 u @16}. */
    static byte[] status(int dom, int port) {
        byte[] b = new byte[24];
        b[0] = (byte) dom;
        b[1] = (byte) (dom >> 8);
        System.arraycopy(le32(port), 0, b, 4, 4);
        return b;
    }

    static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    void put(long gpa, byte[] b) {
        try {
            ram.writePhysical(gpa, b);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }

    int u32(long gpa) {
        try {
            byte[] b = ram.readPhysical(gpa, 4);
            return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }
}
