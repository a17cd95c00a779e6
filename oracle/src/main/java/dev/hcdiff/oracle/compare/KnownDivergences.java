package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.viridian.HyperVOnXen;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The known-divergence catalog. Entries live next to the personality pair whose gap they
 * describe and apply to that pair only: a gap of Xen on Hyper-V excuses nothing between
 * {@code hyperv} and {@code hyperv-on-xen}. Within a pair, first match wins.
 */
public final class KnownDivergences {

    private static final List<KnownDivergence> XEN_ON_HYPERV = List.copyOf(XenOnHyperVGaps.entries());
    private static final List<KnownDivergence> HYPERV_ON_XEN = List.copyOf(HyperVOnXenGaps.entries());
    private static final List<KnownDivergence> CATALOG = build();

    private KnownDivergences() {
    }

    private static List<KnownDivergence> build() {
        List<KnownDivergence> all = new ArrayList<>();
        all.addAll(XEN_ON_HYPERV);
        all.addAll(HYPERV_ON_XEN);
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

    /**
     * The entries of the pair whose translating personality is {@code translated}
     * ({@code xen-on-hyperv}, {@code hyperv-on-xen}); empty for any other pair, whose differences
     * no specification explains.
     */
    public static List<KnownDivergence> catalogFor(String translated) {
        return switch (translated) {
            case XenOnHyperV.NAME -> XEN_ON_HYPERV;
            case HyperVOnXen.NAME -> HYPERV_ON_XEN;
            default -> List.of();
        };
    }

    /** The first entry of the pair's catalog ({@link #catalogFor}) that recognises this divergence, if any. */
    public static Optional<KnownDivergence> match(String translated, GuestRequest request, Set<Field> fields,
                                                  Observation reference, Observation translatedObservation) {
        for (KnownDivergence k : catalogFor(translated)) {
            if (k.matcher().matches(request, fields, reference, translatedObservation)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }

    /** The first entry of Xen on Hyper-V's catalog that recognises this divergence, if any. */
    public static Optional<KnownDivergence> match(GuestRequest request, Set<Field> fields,
                                                  Observation reference, Observation translated) {
        for (KnownDivergence k : XEN_ON_HYPERV) {
            if (k.matcher().matches(request, fields, reference, translated)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
