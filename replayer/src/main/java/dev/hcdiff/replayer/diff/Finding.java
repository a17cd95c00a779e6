package dev.hcdiff.replayer.diff;

import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.oracle.compare.KnownDivergence;
import dev.hcdiff.trace.record.TraceRecord;

import java.util.List;
import java.util.Set;

/**
 * One step on which two recordings differ.
 *
 * @param kind   what differs
 * @param seqA   the record's sequence number in A, or -1 when only B has it
 * @param seqB   the record's sequence number in B, or -1 when only A has it
 * @param call   the call's report name in A's frame (B's requests moved to where A finds Xen)
 * @param a      A's record (null when only B has it)
 * @param b      B's record (null when only A has it)
 * @param fields the observation fields that differ (the Comparator's), empty for other kinds
 * @param knownAll the catalog entries that explain it (one, or one per differing field: see
 *                 {@code KnownDivergences.matchAll}); empty when it is new
 * @param bytes  the guest bytes that differ: what the calls read ({@link Kind#REQUEST}) or wrote
 * @param detail one line saying what differs beyond the fields, or empty
 */
public record Finding(Kind kind, long seqA, long seqB, String call, TraceRecord a, TraceRecord b,
                      Set<Field> fields, List<KnownDivergence> knownAll, List<ByteDiff> bytes, String detail) {

    /** What differs between two aligned steps. */
    public enum Kind {
        /** The same request, and the guest observed something else. */
        OBSERVATION("observation"),
        /** The same call with other arguments or other bytes read: something earlier differed. */
        REQUEST("request"),
        /** A CPUID leaf only one side's hypervisor offers. */
        CPUID("cpuid"),
        /** An interrupt injected with another vector, vCPU or source. */
        DELIVERY("delivery"),
        /** The recorder's hypercall page installed at another address. */
        TRANSPORT("transport"),
        /** The guest stopped for another reason. */
        STOP("stop");

        private final String reportName;

        Kind(String reportName) {
            this.reportName = reportName;
        }

        public String reportName() {
            return reportName;
        }
    }

    public Finding {
        fields = Set.copyOf(fields);
        knownAll = List.copyOf(knownAll);
        bytes = List.copyOf(bytes);
    }

    /** True when no catalog entry explains it: the only kind that fails a diff. */
    public boolean isNew() {
        return knownAll.isEmpty();
    }

    /** The first catalog entry that explains it, or null when it is new. */
    public KnownDivergence known() {
        return knownAll.isEmpty() ? null : knownAll.getFirst();
    }

    /** The ids of the entries that explain it, joined with {@code +} as the replay report shows them; null when new. */
    public String knownLabel() {
        return knownAll.isEmpty() ? null
                : String.join("+", knownAll.stream().map(KnownDivergence::id).toList());
    }

    /** Where it sits for ordering: A's sequence number, or B's for a record only B has. */
    long order() {
        return seqA >= 0 ? seqA : seqB;
    }
}
