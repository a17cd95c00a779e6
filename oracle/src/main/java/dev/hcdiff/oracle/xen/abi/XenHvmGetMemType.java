package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_hvm_get_mem_type} (xen/include/public/hvm/hvm_op.h): {@code domid_t domid}@0,
 * OUT {@code uint16_t mem_type}@2, {@code uint16_t pad[2]}@4, {@code uint64_t pfn}@8; 16 bytes in
 * both ABIs. Xen copies the whole struct back, pad included.
 *
 * @param pad the 4 bytes of {@code pad[2]} as a little-endian u32
 */
public record XenHvmGetMemType(int domid, int memType, int pad, long pfn) {

    /** sizeof(struct xen_hvm_get_mem_type), both ABIs. */
    public static final int SIZE = 16;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenHvmGetMemType decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_hvm_get_mem_type");
        return new XenHvmGetMemType(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u64(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        Le.put16(b, 2, memType);
        Le.put32(b, 4, pad);
        Le.put64(b, 8, pfn);
        return b;
    }

    public XenHvmGetMemType withMemType(int t) {
        return new XenHvmGetMemType(domid, t, pad, pfn);
    }
}
