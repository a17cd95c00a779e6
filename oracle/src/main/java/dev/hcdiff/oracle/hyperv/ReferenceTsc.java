package dev.hcdiff.oracle.hyperv;

import java.math.BigInteger;

/**
 * The partition reference TSC page (TLFS "Timers", "Partition Reference TSC Mechanism";
 * hyperv-abi.md §7): {@code u32 TscSequence}@0, {@code u32 Reserved1}@4, {@code u64 TscScale}@8,
 * {@code s64 TscOffset}@16, the rest reserved; RefTime = ((TSC × TscScale) &gt;&gt; 64) + TscOffset
 * in 100 ns units, with a 128-bit product.
 *
 * <p>In the model the TSC counts from 0 at partition creation and the reference counter starts at 0
 * there too, so the offset is 0.
 */
public final class ReferenceTsc {

    /** Page size: the TSC page is one 4 KiB page. */
    public static final int PAGE = 4096;
    /** Offset of TscSequence. */
    public static final int SEQUENCE = 0;
    /** Offset of TscScale. */
    public static final int SCALE = 8;
    /** Offset of TscOffset. */
    public static final int OFFSET = 16;
    /** Reference-counter ticks per second: 100 ns units (TLFS "Reference Counter"). */
    public static final long TICKS_PER_SEC = 10_000_000L;
    /**
     * A sequence of 0 tells readers to fall back to the TIME_REF_COUNT MSR; KVM and Xen also skip
     * 0xFFFFFFFF ({@code kvm_hv_setup_tsc_page()}, {@code update_reference_tsc()}).
     */
    public static final int INVALID_SEQUENCE = 0;

    private ReferenceTsc() {
    }

    /**
     * Whether a TSC of {@code tscKhz} can be scaled at all: TscScale = 2^64 × 10^7 / f fits 64 bits
     * only for a TSC faster than 10 MHz (hyperv-abi.md §7, "only works when ... a TSC faster than
     * 10 MHz"); otherwise the hypervisor publishes sequence 0, sending readers to TIME_REF_COUNT.
     */
    public static boolean scalable(long tscKhz) {
        return tscKhz > TICKS_PER_SEC / 1000;
    }

    /**
     * TscScale for a TSC of {@code tscKhz} ({@link #scalable}): TLFS and KVM as OpenVMM computes it,
     * {@code (10_000_000 << 64) / tsc_frequency}; Xen viridian
     * {@code ((10000 << 32) / tsc_khz) << 32}, which keeps only 32 significant bits (hyperv-abi.md §7).
     */
    public static long scale(HvPersonality personality, long tscKhz) {
        if (personality == HvPersonality.XEN_VIRIDIAN) {
            return ((10_000L << 32) / tscKhz) << 32;
        }
        return BigInteger.valueOf(TICKS_PER_SEC).shiftLeft(64)
                .divide(BigInteger.valueOf(tscKhz).multiply(BigInteger.valueOf(1000))).longValue();
    }

    /** The sequence after {@code previous}: +1, skipping 0 and 0xFFFFFFFF (KVM, Xen). */
    public static int nextSequence(int previous) {
        int s = previous + 1;
        return s == 0 || s == -1 ? 1 : s;
    }

    /** The page as the hypervisor writes it: sequence, scale, offset 0, the rest zero. */
    public static byte[] page(int sequence, long scale) {
        byte[] b = new byte[PAGE];
        putLe(b, SEQUENCE, sequence, 4);
        putLe(b, SCALE, scale, 8);
        return b;
    }

    /**
     * RefTime = ((tsc × scale) &gt;&gt; 64) + offset, the TLFS formula with an unsigned 128-bit
     * product.
     */
    public static long refTime(long tsc, long scale, long offset) {
        return Math.unsignedMultiplyHigh(tsc, scale) + offset;
    }

    /** The TSC of the CPU at virtual time {@code nowNs}: {@code tscKhz} ticks per ms from 0 at creation. */
    public static long tscAt(long nowNs, long tscKhz) {
        return (nowNs / 1_000_000L) * tscKhz + (nowNs % 1_000_000L) * tscKhz / 1_000_000L;
    }

    private static void putLe(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
