package dev.hcdiff.replayer.report;

import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.replayer.lockstep.DivergingRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A replay's divergences by root cause, so one cause reads as one line rather than a cascade:
 * known gaps by catalog id, kind and fields; new divergences by call, kind and fields. Each group
 * has its count and the sequence numbers of its first and last record. In first-seen order.
 */
public final class DivergenceGroups {

    /** One root cause. */
    public static final class Group {
        private final String knownId;
        private final String call;
        private final Divergence.Kind kind;
        private final String fields;
        private final Set<String> calls = new LinkedHashSet<>();
        private long count;
        private long firstSeq = -1;
        private long lastSeq = -1;

        Group(Divergence d) {
            this.knownId = d.known() == null ? null : d.known().id();
            this.call = d.call();
            this.kind = d.kind();
            this.fields = d.error() != null ? "error" : fieldNames(d);
        }

        void add(Divergence d) {
            count++;
            calls.add(d.call());
            firstSeq = firstSeq < 0 ? d.seq() : Math.min(firstSeq, d.seq());
            lastSeq = Math.max(lastSeq, d.seq());
        }

        /** The catalog id, or null for a new divergence. */
        public String knownId() {
            return knownId;
        }

        /** The call of a new divergence (a known gap's first call). */
        public String call() {
            return call;
        }

        /** Every call the group covers, in first-seen order. */
        public List<String> calls() {
            return List.copyOf(calls);
        }

        public Divergence.Kind kind() {
            return kind;
        }

        /** The differing fields as comma-separated report names, {@code error} for a side that failed. */
        public String fields() {
            return fields;
        }

        public long count() {
            return count;
        }

        public long firstSeq() {
            return firstSeq;
        }

        public long lastSeq() {
            return lastSeq;
        }
    }

    private DivergenceGroups() {
    }

    /** Every divergence of every record, grouped. */
    public static List<Group> of(List<DivergingRecord> records) {
        Map<String, Group> groups = new LinkedHashMap<>();
        for (DivergingRecord r : records) {
            for (Divergence d : r.divergences()) {
                String key = (d.known() != null ? "known " + d.known().id() : "new " + d.call()) + "|" + d.kind() + "|"
                        + (d.error() != null ? "error" : fieldNames(d));
                groups.computeIfAbsent(key, k -> new Group(d)).add(d);
            }
        }
        return new ArrayList<>(groups.values());
    }

    static String fieldNames(Divergence d) {
        return String.join(",", d.fields().stream().sorted().map(Field::reportName).toList());
    }
}
