package dev.hcdiff.oracle.viridian;

import java.util.Arrays;

/**
 * {@code struct viridian_vcpu} ({@code xen/arch/x86/include/asm/hvm/viridian.h}): one vCPU's
 * viridian state. Plain state; the rules live in {@link ViridianSynic}, {@link ViridianTime} and
 * {@link ViridianMsrs}.
 */
final class ViridianVcpu {

    /** Number of SINTs ({@code ARRAY_SIZE(vv->sint)}). */
    static final int SINT_COUNT = 16;
    /** Number of synthetic timers ({@code ARRAY_SIZE(vv->stimer)}). */
    static final int STIMER_COUNT = 4;
    /** {@code union hv_synic_sint} bit 16, masked; {@code viridian_synic_vcpu_init()} masks every SINT. */
    static final long SINT_MASKED = 1L << 16;
    /** {@code union hv_synic_sint} bits 7:0, vector. */
    static final long SINT_VECTOR_MASK = 0xffL;

    final int vcpuId;
    final ViridianPage vpAssist = new ViridianPage();
    long scontrol;
    long siefp;
    final ViridianPage simp = new ViridianPage();
    final long[] sint = new long[SINT_COUNT];
    final ViridianStimer[] stimer = new ViridianStimer[STIMER_COUNT];
    /** {@code vv->stimer_pending}: bit n set when STIMERn expired and its message is not delivered yet. */
    int stimerPending;
    final long[] crashParam = new long[5];

    ViridianVcpu(int vcpuId) {
        this.vcpuId = vcpuId;
        Arrays.fill(sint, SINT_MASKED);
        for (int i = 0; i < STIMER_COUNT; i++) {
            stimer[i] = new ViridianStimer();
        }
    }

    boolean sintMasked(int n) {
        return (sint[n] & SINT_MASKED) != 0;
    }

    int sintVector(int n) {
        return (int) (sint[n] & SINT_VECTOR_MASK);
    }
}
