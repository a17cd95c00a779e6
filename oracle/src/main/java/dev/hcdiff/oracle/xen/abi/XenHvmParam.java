package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_hvm_param} (xen/include/public/hvm/hvm_op.h): {@code domid_t domid}@0,
 * {@code uint16_t pad}@2, {@code uint32_t index}@4, IN/OUT {@code uint64_t value}@8; 16 bytes in
 * both ABIs. HVMOP_get_param copies the whole struct back, pad included.
 */
public record XenHvmParam(int domid, int pad, int index, long value) {

    /** sizeof(struct xen_hvm_param), both ABIs. */
    public static final int SIZE = 16;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenHvmParam decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_hvm_param");
        return new XenHvmParam(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u64(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        Le.put16(b, 2, pad);
        Le.put32(b, 4, index);
        Le.put64(b, 8, value);
        return b;
    }

    public XenHvmParam withValue(long v) {
        return new XenHvmParam(domid, pad, index, v);
    }
}
