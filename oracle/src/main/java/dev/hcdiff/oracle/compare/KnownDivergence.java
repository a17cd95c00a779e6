package dev.hcdiff.oracle.compare;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.util.Set;

/**
 * A difference inherent to the two ABIs, not a bug: a catalog entry (design.md, "Known
 * divergences"). A divergence is {@code known} when an entry's matcher accepts it.
 *
 * @param id        stable identifier used in reports and corpus expectations, e.g.
 *                  {@code console-io-no-hyperv-console}
 * @param rationale one line drawn from the two specifications
 * @param matcher   recognises the divergence
 */
public record KnownDivergence(String id, String rationale, Matcher matcher) {

    /** Decides whether a divergence is this known gap. */
    @FunctionalInterface
    public interface Matcher {
        /**
         * @param request    the request both personalities served
         * @param fields     the fields that differ (never empty)
         * @param reference  the reference personality's observation
         * @param translated the other personality's observation
         */
        boolean matches(GuestRequest request, Set<Field> fields, Observation reference, Observation translated);
    }

    public KnownDivergence {
        if (!id.matches("[a-z0-9-]+")) {
            throw new IllegalArgumentException("catalog id must be [a-z0-9-]+: " + id);
        }
    }
}
