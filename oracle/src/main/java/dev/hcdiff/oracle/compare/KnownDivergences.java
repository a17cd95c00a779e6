package dev.hcdiff.oracle.compare;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The known-divergence catalog: every entry, first match wins. Entries live next to the
 * personality pair whose gap they describe and are listed here.
 */
public final class KnownDivergences {

    private static final List<KnownDivergence> CATALOG = build();

    private KnownDivergences() {
    }

    private static List<KnownDivergence> build() {
        List<KnownDivergence> all = new ArrayList<>();
        all.addAll(XenOnHyperVGaps.entries());
        Set<String> ids = new HashSet<>();
        for (KnownDivergence k : all) {
            if (!ids.add(k.id())) {
                throw new IllegalStateException("duplicate catalog id " + k.id());
            }
        }
        return List.copyOf(all);
    }

    /** Every catalog entry, in match order. */
    public static List<KnownDivergence> catalog() {
        return CATALOG;
    }

    /** The entry with this id, if any. */
    public static Optional<KnownDivergence> byId(String id) {
        return CATALOG.stream().filter(k -> k.id().equals(id)).findFirst();
    }

    /** The first entry that recognises this divergence, if any. */
    public static Optional<KnownDivergence> match(GuestRequest request, Set<Field> fields,
                                                  Observation reference, Observation translated) {
        for (KnownDivergence k : CATALOG) {
            if (k.matcher().matches(request, fields, reference, translated)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
