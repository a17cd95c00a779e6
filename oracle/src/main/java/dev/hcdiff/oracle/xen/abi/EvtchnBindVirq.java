package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_bind_virq} (xen/include/public/event_channel.h): {@code uint32_t virq}@0,
 * {@code uint32_t vcpu}@4, OUT {@code evtchn_port_t port}@8; 12 bytes in both ABIs.
 */
public record EvtchnBindVirq(int virq, int vcpu, int port) {

    /** sizeof(struct evtchn_bind_virq), both ABIs. */
    public static final int SIZE = 12;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnBindVirq decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_bind_virq");
        return new EvtchnBindVirq(Le.u32(b, 0), Le.u32(b, 4), Le.u32(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, virq);
        Le.put32(b, 4, vcpu);
        Le.put32(b, 8, port);
        return b;
    }

    public EvtchnBindVirq withPort(int newPort) {
        return new EvtchnBindVirq(virq, vcpu, newPort);
    }
}
