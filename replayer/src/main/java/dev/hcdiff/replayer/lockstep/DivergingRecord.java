package dev.hcdiff.replayer.lockstep;

import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Observation;

import java.util.List;

/**
 * A record on which at least one comparison differed.
 *
 * @param exchange    the recorded exchange
 * @param divergences its divergences, the one that matters most first (new before known, models
 *                    before recorded)
 * @param reference   the reference personality's observation in replay (null if it failed)
 * @param translated  the translated personality's observation in replay (null if it failed)
 */
public record DivergingRecord(Exchange exchange, List<Divergence> divergences,
                              Observation reference, Observation translated) {

    public DivergingRecord {
        divergences = List.copyOf(divergences);
    }

    /** The divergence that leads this record's report. */
    public Divergence primary() {
        return divergences.getFirst();
    }

    /** True when any divergence of this record is new. */
    public boolean isNew() {
        return divergences.stream().anyMatch(Divergence::isNew);
    }
}
