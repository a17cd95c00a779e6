package dev.hcdiff.oracle.hyperv;

/**
 * Bits of HV_X64_MSR_STIMERn_CONFIG (TLFS "Timers", "Synthetic Timer Configuration Register";
 * Linux {@code union hv_stimer_config}): 0 Enable, 1 Periodic, 2 Lazy, 3 AutoEnable, 11:4
 * ApicVector, 12 DirectMode, 15:13 RsvdZ, 19:16 SINTx, 63:20 RsvdZ. COUNT is in 100 ns units.
 */
public final class StimerConfig {

    private StimerConfig() {
    }

    /** Bit 0 Enable. */
    public static final long ENABLE = 1L;
    /** Bit 1 Periodic: COUNT is the period; otherwise COUNT is an absolute reference time. */
    public static final long PERIODIC = 1L << 1;
    /** Bit 2 Lazy: missed periods are skipped. */
    public static final long LAZY = 1L << 2;
    /** Bit 3 AutoEnable: a non-zero COUNT write sets Enable. */
    public static final long AUTO_ENABLE = 1L << 3;
    /** Bit 12 DirectMode: assert ApicVector instead of sending a message. */
    public static final long DIRECT_MODE = 1L << 12;
    /** Bits 19:16 SINTx. */
    public static final int SINTX_SHIFT = 16;

    /** A message-mode configuration targeting SINT {@code sint} (1..15; 0 leaves the timer disabled). */
    public static long of(int sint, boolean periodic, boolean autoEnable, boolean enable) {
        if (sint < 0 || sint >= HvPort.SINT_COUNT) {
            throw new IllegalArgumentException("SINT " + sint + " out of range 0..15");
        }
        return ((long) sint << SINTX_SHIFT) | (periodic ? PERIODIC : 0) | (autoEnable ? AUTO_ENABLE : 0)
                | (enable ? ENABLE : 0);
    }

    /** The SINTx field. */
    public static int sintx(long config) {
        return (int) ((config >>> SINTX_SHIFT) & 0xf);
    }
}
