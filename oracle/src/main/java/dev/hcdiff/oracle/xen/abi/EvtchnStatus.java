package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_status} (xen/include/public/event_channel.h): {@code domid_t dom}@0,
 * 2 bytes of padding@2, {@code evtchn_port_t port}@4, OUT {@code uint32_t status}@8, OUT
 * {@code uint32_t vcpu}@12, OUT union {@code u}@16 (8 bytes: {@code unbound.dom} u16@16;
 * {@code interdomain.dom} u16@16 and {@code .port} u32@20; {@code pirq} u32@16; {@code virq}
 * u32@16); 24 bytes in both ABIs.
 *
 * <p>Xen writes only the union member of the channel's state and copies the whole struct back,
 * so {@code padding} and the rest of {@code u} keep whatever the guest passed in.
 *
 * @param u the union's 8 bytes as a little-endian u64
 */
public record EvtchnStatus(int dom, int padding, int port, int status, int vcpu, long u) {

    /** sizeof(struct evtchn_status), both ABIs. */
    public static final int SIZE = 24;

    public EvtchnStatus(int dom, int port) {
        this(dom, 0, port, 0, 0, 0);
    }

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnStatus decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_status");
        return new EvtchnStatus(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u32(b, 8), Le.u32(b, 12),
                Le.u64(b, 16));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, dom);
        Le.put16(b, 2, padding);
        Le.put32(b, 4, port);
        Le.put32(b, 8, status);
        Le.put32(b, 12, vcpu);
        Le.put64(b, 16, u);
        return b;
    }

    /** {@code u.unbound.dom} (or {@code u.interdomain.dom}): the union's first u16. */
    public int uDom() {
        return (int) (u & 0xffff);
    }

    /** {@code u.interdomain.port}: the union's u32 at offset 4. */
    public int uInterdomainPort() {
        return (int) (u >>> 32);
    }

    /** {@code u.virq} or {@code u.pirq}: the union's first u32. */
    public int uWord() {
        return (int) u;
    }

    /** A copy with status and vcpu set and {@code u} replaced. */
    public EvtchnStatus with(int newStatus, int newVcpu, long newU) {
        return new EvtchnStatus(dom, padding, port, newStatus, newVcpu, newU);
    }
}
