package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_expand_array} (xen/include/public/event_channel.h):
 * {@code uint64_t array_gfn}@0; 8 bytes in both ABIs.
 */
public record EvtchnExpandArray(long arrayGfn) {

    /** sizeof(struct evtchn_expand_array), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnExpandArray decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_expand_array");
        return new EvtchnExpandArray(Le.u64(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put64(b, 0, arrayGfn);
        return b;
    }
}
