package dev.hcdiff.oracle.xen.platform;

/**
 * Xen's {@code struct time_scale} as {@code xen/arch/x86/time.c set_time_scale()} computes it for a
 * frequency: ns = ((ticks &lt;&lt; shift) * mul_frac) &gt;&gt; 32, with a negative shift meaning a
 * right shift.
 *
 * @param mulFrac the 32-bit multiplier (unsigned)
 * @param shift   the shift, -128..127 in Xen's s8
 */
public record TimeScale(int mulFrac, int shift) {

    /** {@code MILLISECS(1000)}: 10^9 ns. */
    private static final long NS_PER_SEC = 1_000_000_000L;

    /** {@code set_time_scale(ts, ticks_per_sec)}. */
    public static TimeScale of(long ticksPerSec) {
        if (ticksPerSec <= 0) {
            throw new IllegalArgumentException("ticks per second must be positive, got " + ticksPerSec);
        }
        long tps64 = ticksPerSec;
        int shift = 0;
        while (tps64 > NS_PER_SEC * 2) {
            tps64 >>>= 1;
            shift--;
        }
        long tps32 = tps64 & 0xffffffffL; // (u32)tps64
        while (tps32 <= NS_PER_SEC) {
            tps32 = (tps32 << 1) & 0xffffffffL;
            shift++;
        }
        // div_frac(dividend, divisor) = (dividend << 32) / divisor, with dividend < divisor.
        long mul = (NS_PER_SEC << 32) / tps32;
        return new TimeScale((int) mul, shift);
    }
}
