package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.viridian.HyperVOnXen;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * The known-divergence catalog. Entries live next to the personality pair whose gap they
 * describe and apply to that pair only: a gap of Xen on Hyper-V excuses nothing between
 * {@code hyperv} and {@code hyperv-on-xen}. Within a pair, first match wins; a divergence no
 * single entry explains is known when each of its fields is ({@link #matchAll}).
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

    /**
     * The first entry of the pair's catalog ({@link #catalogFor}) that explains this divergence,
     * if any: the first of {@link #matchAll}.
     */
    public static Optional<KnownDivergence> match(String translated, GuestRequest request, Set<Field> fields,
                                                  Observation reference, Observation translatedObservation) {
        return matchAll(catalogFor(translated), request, fields, reference, translatedObservation).stream().findFirst();
    }

    /** The first entry of Xen on Hyper-V's catalog that explains this divergence, if any (as {@link #matchAll}). */
    public static Optional<KnownDivergence> match(GuestRequest request, Set<Field> fields,
                                                  Observation reference, Observation translated) {
        return matchAll(XEN_ON_HYPERV, request, fields, reference, translated).stream().findFirst();
    }

    /**
     * Every entry of the pair's catalog ({@link #catalogFor}) it takes to explain this divergence;
     * empty when it is new. The first entry that accepts the whole field set explains it alone.
     * Failing that, each differing field is offered on its own, in {@link Field} order, to the
     * entries in match order: when every field is accepted by some entry, the divergence is known
     * by all of them (first use order, no repeats), because two independent gaps can meet on one
     * request (a timer message under viridian: the reference counter's scale in the result, the
     * message header in the writes, the disabled vLAPIC in the interrupts). One field no entry
     * accepts keeps the whole divergence new.
     */
    public static List<KnownDivergence> matchAll(String translated, GuestRequest request, Set<Field> fields,
                                                 Observation reference, Observation translatedObservation) {
        return matchAll(catalogFor(translated), request, fields, reference, translatedObservation);
    }

    private static List<KnownDivergence> matchAll(List<KnownDivergence> catalog, GuestRequest request,
                                                  Set<Field> fields, Observation reference, Observation translated) {
        if (fields.isEmpty()) {
            return List.of();
        }
        Optional<KnownDivergence> whole = first(catalog, request, fields, reference, translated);
        if (whole.isPresent() || fields.size() == 1) {
            return whole.map(List::of).orElse(List.of());
        }
        Set<KnownDivergence> byField = new LinkedHashSet<>();
        for (Field f : EnumSet.copyOf(fields)) {
            Optional<KnownDivergence> k = first(catalog, request, EnumSet.of(f), reference, translated);
            if (k.isEmpty()) {
                return List.of();
            }
            byField.add(k.get());
        }
        return List.copyOf(byField);
    }

    private static Optional<KnownDivergence> first(List<KnownDivergence> catalog, GuestRequest request,
                                                   Set<Field> fields, Observation reference, Observation translated) {
        for (KnownDivergence k : catalog) {
            if (k.matcher().matches(request, fields, reference, translated)) {
                return Optional.of(k);
            }
        }
        return Optional.empty();
    }
}
