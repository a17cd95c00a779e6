package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_reset} (xen/include/public/event_channel.h): {@code domid_t dom}@0; 2 bytes
 * in both ABIs.
 */
public record EvtchnReset(int dom) {

    /** sizeof(struct evtchn_reset), both ABIs. */
    public static final int SIZE = 2;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnReset decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_reset");
        return new EvtchnReset(Le.u16(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, dom);
        return b;
    }
}
