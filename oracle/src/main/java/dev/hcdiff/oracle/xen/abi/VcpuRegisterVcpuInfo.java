package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct vcpu_register_vcpu_info} (xen/include/public/vcpu.h): {@code uint64_t mfn}@0 (a gfn
 * for a translated guest), {@code uint32_t offset}@8, {@code uint32_t rsvd}@12; 16 bytes in both
 * ABIs ({@code CHECK_vcpu_register_vcpu_info}). {@code rsvd} is never checked.
 */
public record VcpuRegisterVcpuInfo(long mfn, int offset, int rsvd) {

    public static final int SIZE = 16;

    public static int size(Abi abi) {
        return SIZE;
    }

    public static VcpuRegisterVcpuInfo decode(byte[] b, Abi abi) {
        Le.check(b, SIZE, "vcpu_register_vcpu_info");
        return new VcpuRegisterVcpuInfo(Le.u64(b, 0), Le.u32(b, 8), Le.u32(b, 12));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[SIZE];
        Le.put64(b, 0, mfn);
        Le.put32(b, 8, offset);
        Le.put32(b, 12, rsvd);
        return b;
    }
}
