package dev.hcdiff.oracle.hyperv;

/**
 * Hyper-V's unit of time, shared by every class that converts between the reference counter (or a
 * synthetic timer's count) and nanoseconds.
 */
public final class HvTime {

    /**
     * Nanoseconds per reference-counter tick: the reference counter counts "in 100nS units", and
     * a synthetic timer's Count is "a time value measured in 100 nanosecond units" (TLFS
     * timers.md, "Reference Counter", "Synthetic Timers").
     */
    public static final long NS_PER_TICK = 100;

    private HvTime() {
    }
}
