package dev.hcdiff.oracle;

import dev.hcdiff.oracle.adapter.XenDiscovery;
import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HyperVBackend;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.JournalHeader;

import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.UnaryOperator;

/**
 * The hypervisor personalities by name, built from the configuration a journal header carries
 * (its {@code config.*} entries), so a replay rebuilds exactly the personality that served the
 * recording.
 */
public final class Backends {

    /** The reference Xen model. */
    public static final String XEN = "xen";
    /** Xen served through the Xen-to-Hyper-V adapter on the Hyper-V model. */
    public static final String XEN_ON_HYPERV = "xen-on-hyperv";
    /** The Hyper-V (TLFS) model. */
    public static final String HYPERV = "hyperv";

    private Backends() {
    }

    /** Every name {@link #create} accepts. */
    public static List<String> names() {
        return List.of(XEN, XEN_ON_HYPERV, HYPERV);
    }

    /**
     * A fresh personality.
     *
     * @param config configuration entries ({@code xen.*}, {@code hyperv.*}); missing ones take defaults,
     *               entries of other personalities are ignored
     * @throws IllegalArgumentException for an unknown name or a bad configuration value, naming it
     */
    public static Backend create(String name, SortedMap<String, String> config) {
        return switch (name) {
            case XEN -> new XenBackend(XenConfig.fromMap(config));
            case XEN_ON_HYPERV -> XenOnHyperV.fromConfiguration(only(config, "xen.", "hyperv."));
            case HYPERV -> new HyperVBackend(HvConfig.fromMap(only(config, "hyperv.")));
            default -> throw new IllegalArgumentException(
                    "unknown backend '" + name + "' (known: " + String.join(", ", names()) + ")");
        };
    }

    /** The entries under the given prefixes: a personality rejects keys it does not know. */
    private static SortedMap<String, String> only(SortedMap<String, String> config, String... prefixes) {
        TreeMap<String, String> m = new TreeMap<>();
        config.forEach((k, v) -> {
            for (String p : prefixes) {
                if (k.startsWith(p)) {
                    m.put(k, v);
                }
            }
        });
        return m;
    }

    /**
     * The two personalities a replay compares, and how a recorded request reaches each: the
     * personality that did not serve the recording gets the request the guest would have made to
     * it (Xen found at another CPUID base: {@link XenDiscovery}).
     */
    public record Pair(Backend reference, Backend translated,
                       UnaryOperator<GuestRequest> toReference, UnaryOperator<GuestRequest> toTranslated) {

        /** Both get the recorded requests as they are. */
        public Pair(Backend reference, Backend translated) {
            this(reference, translated, UnaryOperator.identity(), UnaryOperator.identity());
        }
    }

    /**
     * The pair for a trace, chosen by who served it: Xen traces (served by {@code xen} or
     * {@code xen-on-hyperv}) replay through {@code xen} and {@code xen-on-hyperv}.
     *
     * @throws IllegalArgumentException when the header names no backend this version can pair
     */
    public static Pair pairFor(JournalHeader header) {
        String served = header.get(JournalHeader.BACKEND);
        SortedMap<String, String> config = new TreeMap<>(header.config());
        if (served == null || served.equals(XEN) || served.equals(XEN_ON_HYPERV)) {
            Backend xen = create(XEN, config);
            Backend adapter = create(XEN_ON_HYPERV, config);
            int xenBase = XenConfig.fromMap(only(config, "xen.")).cpuidBase();
            int adapterBase = XenOnHyperV.XEN_CPUID_BASE;
            return XEN_ON_HYPERV.equals(served)
                    ? new Pair(xen, adapter, XenDiscovery.relocate(adapterBase, xenBase), UnaryOperator.identity())
                    : new Pair(xen, adapter, UnaryOperator.identity(), XenDiscovery.relocate(xenBase, adapterBase));
        }
        throw new IllegalArgumentException("no replay pair for traces served by '" + served
                + "' yet (this version pairs xen with xen-on-hyperv)");
    }
}
