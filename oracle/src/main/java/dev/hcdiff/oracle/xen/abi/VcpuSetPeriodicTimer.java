package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct vcpu_set_periodic_timer} (xen/include/public/vcpu.h): {@code uint64_t period_ns}@0,
 * 8 bytes in both ABIs ({@code CHECK_vcpu_set_periodic_timer} in xen/common/compat/domain.c).
 *
 * @param periodNs the period in ns (u64)
 */
public record VcpuSetPeriodicTimer(long periodNs) {

    public static final int SIZE = 8;

    public static int size(Abi abi) {
        return SIZE;
    }

    public static VcpuSetPeriodicTimer decode(byte[] b, Abi abi) {
        Le.check(b, SIZE, "vcpu_set_periodic_timer");
        return new VcpuSetPeriodicTimer(Le.u64(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[SIZE];
        Le.put64(b, 0, periodNs);
        return b;
    }
}
