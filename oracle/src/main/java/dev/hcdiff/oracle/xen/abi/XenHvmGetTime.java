package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_hvm_get_time} (xen/include/public/hvm/hvm_op.h): OUT {@code uint64_t now}@0
 * (ns of Xen system time), 8 bytes in both ABIs.
 */
public record XenHvmGetTime(long now) {

    /** sizeof(struct xen_hvm_get_time), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenHvmGetTime decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_hvm_get_time");
        return new XenHvmGetTime(Le.u64(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put64(b, 0, now);
        return b;
    }
}
