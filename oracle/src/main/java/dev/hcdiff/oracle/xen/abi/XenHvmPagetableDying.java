package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_hvm_pagetable_dying} (xen/include/public/hvm/hvm_op.h): {@code domid_t
 * domid}@0, {@code uint16_t pad[3]}@2, {@code uint64_t gpa}@8; 16 bytes in both ABIs. IN only.
 */
public record XenHvmPagetableDying(int domid, long gpa) {

    /** sizeof(struct xen_hvm_pagetable_dying), both ABIs. */
    public static final int SIZE = 16;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenHvmPagetableDying decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_hvm_pagetable_dying");
        return new XenHvmPagetableDying(Le.u16(b, 0), Le.u64(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        Le.put64(b, 8, gpa);
        return b;
    }
}
