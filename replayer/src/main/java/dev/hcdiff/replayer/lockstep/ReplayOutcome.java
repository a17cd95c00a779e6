package dev.hcdiff.replayer.lockstep;

import dev.hcdiff.replayer.latency.LatencyTable;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;

import java.util.List;
import java.util.Map;

/**
 * Everything a replay found.
 *
 * @param header         the trace's header
 * @param referenceName  the reference personality, e.g. {@code xen}
 * @param translatedName the translated personality, e.g. {@code xen-on-hyperv}
 * @param records        records read
 * @param exchanges      exchanges replayed (requests served by both personalities)
 * @param hypercalls     of which hypercalls
 * @param perCall        counts per call name, in first-seen order
 * @param diverging      every record with a divergence, in trace order
 * @param latency        per call and side
 * @param stop           the trace's final record, or null when the trace has none (truncated or hand-written)
 */
public record ReplayOutcome(JournalHeader header, String referenceName, String translatedName,
                            long records, long exchanges, long hypercalls,
                            Map<String, CallStats> perCall, List<DivergingRecord> diverging,
                            LatencyTable latency, GuestStop stop) {

    /** Exchanges on which every comparison agreed. */
    public long agree() {
        return perCall.values().stream().mapToLong(CallStats::agree).sum();
    }

    /** Records with a new divergence. */
    public long newDivergences() {
        return diverging.stream().filter(DivergingRecord::isNew).count();
    }

    /** Records whose divergences are all known gaps. */
    public long knownDivergences() {
        return diverging.size() - newDivergences();
    }

    /** Exchanges the reference answered as unmodelled. */
    public long unmodelled() {
        return perCall.values().stream().mapToLong(CallStats::unmodelled).sum();
    }

    /** The catalog ids seen, sorted: every entry of each known divergence ({@code Divergence.knownAll()}). */
    public List<String> knownIds() {
        return diverging.stream().flatMap(d -> d.divergences().stream())
                .flatMap(d -> d.knownIds().stream()).distinct().sorted().toList();
    }
}
