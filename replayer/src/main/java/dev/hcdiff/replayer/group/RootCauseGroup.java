package dev.hcdiff.replayer.group;

import dev.hcdiff.oracle.compare.Field;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Divergences that share a root cause, reported as one line so one cause reads as one line rather
 * than a cascade: a known gap by its catalog id, kind and fields; a new divergence by its call,
 * kind and fields. Holds what every report's group has (identity, calls, count); the replay and
 * the diff group add the sequence numbers of their own traces ({@link SeqSpan}).
 *
 * @param <K> the kind of divergence: the replay's or the diff's
 */
public abstract class RootCauseGroup<K> {

    private final String knownId;
    private final String call;
    private final K kind;
    private final String fields;
    private final Set<String> calls = new LinkedHashSet<>();
    private long count;

    /**
     * @param knownId the catalog id (or ids) that explain the cause, null for a new divergence
     * @param call    the first call of the group
     * @param kind    what differs
     * @param fields  the differing fields as the report names them
     */
    protected RootCauseGroup(String knownId, String call, K kind, String fields) {
        this.knownId = knownId;
        this.call = call;
        this.kind = kind;
        this.fields = fields;
    }

    /**
     * The key divergences of one root cause share: a known one's call does not count (one gap
     * explains many calls), a new one's does.
     *
     * @param knownId the catalog id, null when new
     * @param newCall what a new divergence is named by (ignored when known)
     */
    public static String keyOf(String knownId, String newCall, Object kind, String fields) {
        return (knownId != null ? "known " + knownId : "new " + newCall) + "|" + kind + "|" + fields;
    }

    /** The fields' report names, sorted and comma-separated; empty for no field. */
    public static String fieldNames(Set<Field> fields) {
        return String.join(",", fields.stream().sorted().map(Field::reportName).toList());
    }

    /** Counts one more divergence of this cause, made by {@code call}. */
    protected final void count(String call) {
        count++;
        calls.add(call);
    }

    /** The catalog id (ids joined by {@code +} where several explain it), or null for a new divergence. */
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

    public K kind() {
        return kind;
    }

    /** The differing fields as the report names them (comma-separated). */
    public String fields() {
        return fields;
    }

    public long count() {
        return count;
    }
}
