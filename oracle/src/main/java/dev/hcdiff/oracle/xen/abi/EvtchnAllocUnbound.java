package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_alloc_unbound} (xen/include/public/event_channel.h): {@code domid_t dom}@0,
 * {@code domid_t remote_dom}@2, OUT {@code evtchn_port_t port}@4; 8 bytes in both ABIs.
 *
 * @param dom       the domain whose table gets the port (DOMID_SELF allowed), u16
 * @param remoteDom the domain allowed to bind it (DOMID_SELF means the caller), u16
 * @param port      OUT: the allocated port, u32
 */
public record EvtchnAllocUnbound(int dom, int remoteDom, int port) {

    /** sizeof(struct evtchn_alloc_unbound), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnAllocUnbound decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_alloc_unbound");
        return new EvtchnAllocUnbound(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, dom);
        Le.put16(b, 2, remoteDom);
        Le.put32(b, 4, port);
        return b;
    }

    public EvtchnAllocUnbound withPort(int newPort) {
        return new EvtchnAllocUnbound(dom, remoteDom, newPort);
    }
}
