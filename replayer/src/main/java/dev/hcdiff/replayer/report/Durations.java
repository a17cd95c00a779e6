package dev.hcdiff.replayer.report;

import java.util.Locale;

/** Human-readable durations for console tables. */
final class Durations {

    private Durations() {
    }

    /** 850 → "850ns", 1234 → "1.23µs", 4_500_000 → "4.50ms", 2e9 → "2.00s". */
    static String format(long nanos) {
        if (nanos < 1_000) {
            return nanos + "ns";
        }
        if (nanos < 1_000_000) {
            return String.format(Locale.ROOT, "%.2fµs", nanos / 1e3);
        }
        if (nanos < 1_000_000_000) {
            return String.format(Locale.ROOT, "%.2fms", nanos / 1e6);
        }
        return String.format(Locale.ROOT, "%.2fs", nanos / 1e9);
    }
}
