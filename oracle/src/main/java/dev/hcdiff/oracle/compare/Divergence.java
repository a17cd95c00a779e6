package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.adapter.XenOnHyperV;

import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * One request on which two observations differ.
 *
 * @param seq        the record's sequence number
 * @param request    the request both sides served
 * @param kind       which pair differs
 * @param fields     the guest-observable fields that differ (empty for {@link Kind#ERROR})
 * @param known      the catalog entry that explains it (the first of {@code knownAll}), or null when it is new
 * @param reference  the reference personality's observation (null when it failed)
 * @param other      the other side: the translated personality's or the recorded observation
 *                   (null when it failed)
 * @param error      for {@link Kind#ERROR}: what went wrong, one line; else null
 * @param knownAll   every catalog entry it takes to explain it, {@code known} first
 *                   ({@link KnownDivergences#matchAll}); empty when it is new
 */
public record Divergence(long seq, GuestRequest request, Kind kind, Set<Field> fields, KnownDivergence known,
                         Observation reference, Observation other, String error, List<KnownDivergence> knownAll) {

    /** Which two observations disagree. */
    public enum Kind {
        /** The reference model and the translated one (a divergence between models). */
        MODELS("models"),
        /** The model and what the guest was told when recorded (a fidelity failure). */
        RECORDED("recorded"),
        /** A side could not serve the request at all (a model bug or unrecorded memory). */
        ERROR("error");

        private final String reportName;

        Kind(String reportName) {
            this.reportName = reportName;
        }

        public String reportName() {
            return reportName;
        }
    }

    public Divergence {
        fields = Set.copyOf(fields);
        knownAll = List.copyOf(knownAll);
        if (known != (knownAll.isEmpty() ? null : knownAll.getFirst())) {
            throw new IllegalArgumentException("known must be the first of knownAll: " + known + " vs " + knownAll);
        }
    }

    /** A divergence explained by at most one entry. */
    public Divergence(long seq, GuestRequest request, Kind kind, Set<Field> fields, KnownDivergence known,
                      Observation reference, Observation other, String error) {
        this(seq, request, kind, fields, known, reference, other, error, known == null ? List.of() : List.of(known));
    }

    /** The ids of {@link #knownAll()}, in order; empty when it is new. */
    public List<String> knownIds() {
        return knownAll.stream().map(KnownDivergence::id).toList();
    }

    /** True when no catalog entry explains it: the only kind that fails a run. */
    public boolean isNew() {
        return known == null;
    }

    /** The request's report name, e.g. {@code event_channel_op/EVTCHNOP_send}. */
    public String call() {
        return CallNames.of(request);
    }

    /**
     * Compares two observations of the same request by the reference and the Xen-to-Hyper-V
     * adapter: {@link #between(long, GuestRequest, Kind, String, Observation, Observation)} for
     * {@code xen-on-hyperv}.
     */
    public static Optional<Divergence> between(long seq, GuestRequest request, Kind kind,
                                               Observation reference, Observation other) {
        return between(seq, request, kind, XenOnHyperV.NAME, reference, other);
    }

    /**
     * Compares two observations of the same request. For {@link Kind#MODELS} the catalog of the
     * pair is consulted ({@link KnownDivergences#catalogFor}); a fidelity failure
     * ({@link Kind#RECORDED}) is never a known gap.
     *
     * @param translated the name of the personality that served {@code other}
     * @return the divergence, or empty when they agree
     */
    public static Optional<Divergence> between(long seq, GuestRequest request, Kind kind, String translated,
                                               Observation reference, Observation other) {
        Set<Field> fields = Comparator.differingFields(reference, other);
        if (fields.isEmpty()) {
            return Optional.empty();
        }
        List<KnownDivergence> known = kind == Kind.MODELS
                ? KnownDivergences.matchAll(translated, request, fields, reference, other)
                : List.of();
        return Optional.of(new Divergence(seq, request, kind, fields, known.isEmpty() ? null : known.getFirst(),
                reference, other, null, known));
    }

    /** A side failed to serve the request: always new. */
    public static Divergence error(long seq, GuestRequest request, Observation reference, Observation other, String error) {
        return new Divergence(seq, request, Kind.ERROR, Set.of(), null, reference, other, error);
    }
}
