package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_close} (xen/include/public/event_channel.h): {@code evtchn_port_t port}@0;
 * 4 bytes in both ABIs.
 */
public record EvtchnClose(int port) {

    /** sizeof(struct evtchn_close), both ABIs. */
    public static final int SIZE = 4;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnClose decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_close");
        return new EvtchnClose(Le.u32(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, port);
        return b;
    }
}
