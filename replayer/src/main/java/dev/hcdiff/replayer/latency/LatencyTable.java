package dev.hcdiff.replayer.latency;

import org.HdrHistogram.Histogram;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/**
 * Latency histograms per call name and per side ({@code xen}, {@code xen-on-hyperv},
 * {@code recorded}), in nanoseconds. Single writer; calls are kept in first-seen order, sides in
 * name order, so reports are deterministic.
 */
public final class LatencyTable {

    /** 3 significant digits: 0.1 % resolution, HdrHistogram's usual choice. */
    private static final int SIGNIFICANT_DIGITS = 3;

    private final Map<String, Map<String, Histogram>> byCall = new LinkedHashMap<>();

    /** Records one latency. Negative values (a clock step) are recorded as 0. */
    public void record(String call, String side, long nanos) {
        Histogram h = byCall.computeIfAbsent(call, c -> new TreeMap<>())
                .computeIfAbsent(side, s -> new Histogram(SIGNIFICANT_DIGITS));
        h.recordValue(Math.max(0, nanos));
    }

    /** Call name → side → histogram (read-only views; do not record into them). */
    public Map<String, Map<String, Histogram>> histograms() {
        return Collections.unmodifiableMap(byCall);
    }

    /** One side's histogram for a call, or null. */
    public Histogram get(String call, String side) {
        Map<String, Histogram> m = byCall.get(call);
        return m == null ? null : m.get(side);
    }
}
