package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_hvm_evtchn_upcall_vector} (xen/include/public/hvm/hvm_op.h): {@code uint32_t
 * vcpu}@0, {@code uint8_t vector}@4, 8 bytes in both ABIs. IN only.
 */
public record XenHvmEvtchnUpcallVector(int vcpu, int vector) {

    /** sizeof(struct xen_hvm_evtchn_upcall_vector), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenHvmEvtchnUpcallVector decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_hvm_evtchn_upcall_vector");
        return new XenHvmEvtchnUpcallVector(Le.u32(b, 0), Le.u8(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, vcpu);
        Le.put8(b, 4, vector);
        return b;
    }
}
