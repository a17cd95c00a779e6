package dev.hcdiff.replayer.report;

import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.replayer.group.RootCauseGroup;
import dev.hcdiff.replayer.group.SeqSpan;
import dev.hcdiff.replayer.lockstep.DivergingRecord;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A replay's divergences by root cause ({@link RootCauseGroup}). Each group has its count and the
 * sequence numbers of its first and last record. In first-seen order.
 */
public final class DivergenceGroups {

    /**
     * One root cause. Its known id joins the ids by {@code +} when several explain it field by
     * field; its fields read {@code error} for a side that failed.
     */
    public static final class Group extends RootCauseGroup<Divergence.Kind> {
        private final SeqSpan seqs = new SeqSpan();

        Group(Divergence d) {
            super(knownLabel(d), d.call(), d.kind(), fieldsOf(d));
        }

        void add(Divergence d) {
            count(d.call());
            seqs.add(d.seq());
        }

        public long firstSeq() {
            return seqs.first();
        }

        public long lastSeq() {
            return seqs.last();
        }
    }

    private DivergenceGroups() {
    }

    /** Every divergence of every record, grouped. */
    public static List<Group> of(List<DivergingRecord> records) {
        Map<String, Group> groups = new LinkedHashMap<>();
        for (DivergingRecord r : records) {
            for (Divergence d : r.divergences()) {
                String key = RootCauseGroup.keyOf(knownLabel(d), d.call(), d.kind(), fieldsOf(d));
                groups.computeIfAbsent(key, k -> new Group(d)).add(d);
            }
        }
        return new ArrayList<>(groups.values());
    }

    /** Every entry that explains {@code d}, joined by {@code +}; null when it is new. */
    static String knownLabel(Divergence d) {
        return d.knownAll().isEmpty() ? null : String.join("+", d.knownIds());
    }

    /** The differing fields as the report names them; {@code error} for a side that failed. */
    static String fieldsOf(Divergence d) {
        return d.error() != null ? "error" : RootCauseGroup.fieldNames(d.fields());
    }
}
