package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_bind_ipi} (xen/include/public/event_channel.h): {@code uint32_t vcpu}@0,
 * OUT {@code evtchn_port_t port}@4; 8 bytes in both ABIs.
 */
public record EvtchnBindIpi(int vcpu, int port) {

    /** sizeof(struct evtchn_bind_ipi), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnBindIpi decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_bind_ipi");
        return new EvtchnBindIpi(Le.u32(b, 0), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, vcpu);
        Le.put32(b, 4, port);
        return b;
    }

    public EvtchnBindIpi withPort(int newPort) {
        return new EvtchnBindIpi(vcpu, newPort);
    }
}
