package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_bind_vcpu} (xen/include/public/event_channel.h): {@code evtchn_port_t port}@0,
 * {@code uint32_t vcpu}@4; 8 bytes in both ABIs.
 */
public record EvtchnBindVcpu(int port, int vcpu) {

    /** sizeof(struct evtchn_bind_vcpu), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnBindVcpu decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_bind_vcpu");
        return new EvtchnBindVcpu(Le.u32(b, 0), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, port);
        Le.put32(b, 4, vcpu);
        return b;
    }
}
