package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_hvm_xentrace} (xen/include/public/hvm/hvm_op.h): {@code uint16_t event}@0,
 * {@code uint16_t extra_bytes}@2, {@code uint8_t extra[28]}@4; 32 bytes in both ABIs. IN only.
 */
public record XenHvmXentrace(int event, int extraBytes) {

    /** sizeof(struct xen_hvm_xentrace), both ABIs. */
    public static final int SIZE = 32;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenHvmXentrace decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_hvm_xentrace");
        return new XenHvmXentrace(Le.u16(b, 0), Le.u16(b, 2));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, event);
        Le.put16(b, 2, extraBytes);
        return b;
    }
}
