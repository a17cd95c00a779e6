package dev.hcdiff.replayer.diff;

import dev.hcdiff.replayer.group.RootCauseGroup;
import dev.hcdiff.replayer.group.SeqSpan;

/**
 * Findings that share a root cause ({@link RootCauseGroup}), with where the group stands in each
 * recording. Fields read {@code -} when only the kind differs.
 */
public final class DiffGroup extends RootCauseGroup<Finding.Kind> {

    private final SeqSpan a = new SeqSpan();
    private final SeqSpan b = new SeqSpan();

    private DiffGroup(String knownId, String call, Finding.Kind kind, String fields) {
        super(knownId, call, kind, fields);
    }

    /** The key findings of one root cause share. */
    static String keyOf(Finding f) {
        return keyOf(f.knownLabel(), newCallLabel(f), f.kind(), fieldNames(f));
    }

    static DiffGroup of(Finding f) {
        return new DiffGroup(f.knownLabel(), newCallLabel(f), f.kind(), fieldNames(f));
    }

    /**
     * What a new group is named by: its call, except leaves only one side's hypervisor answers,
     * which share one cause (that hypervisor's CPUID range) and so one line per side.
     */
    private static String newCallLabel(Finding f) {
        return f.kind() == Finding.Kind.CPUID ? "cpuid leaves only " + (f.a() != null ? "A" : "B") + " answers" : f.call();
    }

    void add(Finding f) {
        count(f.call());
        a.add(f.seqA());
        b.add(f.seqB());
    }

    static String fieldNames(Finding f) {
        return f.fields().isEmpty() ? "-" : fieldNames(f.fields());
    }

    public long firstA() {
        return a.first();
    }

    public long lastA() {
        return a.last();
    }

    public long firstB() {
        return b.first();
    }

    public long lastB() {
        return b.last();
    }
}
