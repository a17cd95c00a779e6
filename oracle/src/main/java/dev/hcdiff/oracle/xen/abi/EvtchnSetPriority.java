package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_set_priority} (xen/include/public/event_channel.h):
 * {@code evtchn_port_t port}@0, {@code uint32_t priority}@4; 8 bytes in both ABIs.
 */
public record EvtchnSetPriority(int port, int priority) {

    /** sizeof(struct evtchn_set_priority), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnSetPriority decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_set_priority");
        return new EvtchnSetPriority(Le.u32(b, 0), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, port);
        Le.put32(b, 4, priority);
        return b;
    }
}
