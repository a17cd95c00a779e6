package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct vcpu_set_singleshot_timer} (xen/include/public/vcpu.h): {@code uint64_t
 * timeout_abs_ns}@0, {@code uint32_t flags}@8; 16 bytes natively (tail padding), 12 bytes as
 * {@code compat_vcpu_set_singleshot_timer} (compat u64 fields are 4-aligned; xen-abi.md appendix).
 * Xen never copies it back.
 *
 * @param timeoutAbsNs absolute Xen system time in ns (u64)
 * @param flags        VCPU_SSHOTTMR_*
 */
public record VcpuSetSingleshotTimer(long timeoutAbsNs, int flags) {

    public static final int SIZE_64 = 16;
    public static final int SIZE_32 = 12;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static VcpuSetSingleshotTimer decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_vcpu_set_singleshot_timer" : "vcpu_set_singleshot_timer");
        return new VcpuSetSingleshotTimer(Le.u64(b, 0), Le.u32(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put64(b, 0, timeoutAbsNs);
        Le.put32(b, 8, flags);
        return b;
    }
}
