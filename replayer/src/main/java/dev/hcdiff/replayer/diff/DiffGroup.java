package dev.hcdiff.replayer.diff;

import dev.hcdiff.oracle.compare.Field;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Findings that share a root cause, reported as one line: a known gap by its catalog id, kind and
 * fields; a new divergence by its call, kind and fields.
 */
public final class DiffGroup {

    private final String knownId;
    private final String call;
    private final Finding.Kind kind;
    private final String fields;
    private final Set<String> calls = new LinkedHashSet<>();
    private long count;
    private long firstA = -1;
    private long lastA = -1;
    private long firstB = -1;
    private long lastB = -1;

    private DiffGroup(String knownId, String call, Finding.Kind kind, String fields) {
        this.knownId = knownId;
        this.call = call;
        this.kind = kind;
        this.fields = fields;
    }

    /** The key findings of one root cause share. */
    static String keyOf(Finding f) {
        return (f.known() != null ? "known " + f.known().id() : "new " + newCallLabel(f)) + "|" + f.kind() + "|" + fieldNames(f);
    }

    static DiffGroup of(Finding f) {
        return new DiffGroup(f.known() == null ? null : f.known().id(), newCallLabel(f), f.kind(), fieldNames(f));
    }

    /**
     * What a new group is named by: its call, except leaves only one side's hypervisor answers,
     * which share one cause (that hypervisor's CPUID range) and so one line per side.
     */
    private static String newCallLabel(Finding f) {
        return f.kind() == Finding.Kind.CPUID ? "cpuid leaves only " + (f.a() != null ? "A" : "B") + " answers" : f.call();
    }

    void add(Finding f) {
        count++;
        calls.add(f.call());
        if (f.seqA() >= 0) {
            firstA = firstA < 0 ? f.seqA() : Math.min(firstA, f.seqA());
            lastA = Math.max(lastA, f.seqA());
        }
        if (f.seqB() >= 0) {
            firstB = firstB < 0 ? f.seqB() : Math.min(firstB, f.seqB());
            lastB = Math.max(lastB, f.seqB());
        }
    }

    static String fieldNames(Finding f) {
        return f.fields().isEmpty() ? "-" : String.join(",", f.fields().stream().sorted().map(Field::reportName).toList());
    }

    /** The catalog id, or null for a new divergence. */
    public String knownId() {
        return knownId;
    }

    /** The first call of the group (a new divergence's only call). */
    public String call() {
        return call;
    }

    /** Every call of the group, in first-seen order. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    public Finding.Kind kind() {
        return kind;
    }

    /** The differing fields, comma-separated report names, or {@code -}. */
    public String fields() {
        return fields;
    }

    public long count() {
        return count;
    }

    public long firstA() {
        return firstA;
    }

    public long lastA() {
        return lastA;
    }

    public long firstB() {
        return firstB;
    }

    public long lastB() {
        return lastB;
    }
}
