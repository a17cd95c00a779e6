package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct evtchn_init_control} (xen/include/public/event_channel.h):
 * {@code uint64_t control_gfn}@0, {@code uint32_t offset}@8, {@code uint32_t vcpu}@12, OUT
 * {@code uint8_t link_bits}@16, {@code uint8_t _pad[7]}@17; 24 bytes in both ABIs. {@code _pad}
 * is encoded as zeros (Xen copies the struct back only when the FIFO switch succeeds).
 */
public record EvtchnInitControl(long controlGfn, int offset, int vcpu, int linkBits) {

    /** sizeof(struct evtchn_init_control), both ABIs. */
    public static final int SIZE = 24;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static EvtchnInitControl decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "evtchn_init_control");
        return new EvtchnInitControl(Le.u64(b, 0), Le.u32(b, 8), Le.u32(b, 12), Le.u8(b, 16));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put64(b, 0, controlGfn);
        Le.put32(b, 8, offset);
        Le.put32(b, 12, vcpu);
        Le.put8(b, 16, linkBits);
        return b;
    }
}
