package dev.hcdiff.oracle;

import dev.hcdiff.oracle.adapter.XenDiscovery;
import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HyperVBackend;
import dev.hcdiff.oracle.viridian.HyperVOnXen;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.CpuidH;
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
    /** A Hyper-V guest served as Xen's viridian serves it ({@link HyperVOnXen}). */
    public static final String HYPERV_ON_XEN = HyperVOnXen.NAME;

    private Backends() {
    }

    /** Every name {@link #create} accepts. */
    public static List<String> names() {
        return List.of(XEN, XEN_ON_HYPERV, HYPERV, HYPERV_ON_XEN);
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
            case HYPERV_ON_XEN -> HyperVOnXen.fromConfiguration(only(config, "xen.", "hyperv.", "viridian."));
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
     * {@code xen-on-hyperv}, or naming no backend) replay through {@code xen} and
     * {@code xen-on-hyperv}; Hyper-V traces (served by {@code hyperv} or {@code hyperv-on-xen})
     * through {@code hyperv} and {@code hyperv-on-xen}.
     *
     * @throws IllegalArgumentException when the header names no backend this version can pair
     */
    public static Pair pairFor(JournalHeader header) {
        String served = header.get(JournalHeader.BACKEND);
        if (served == null || served.equals(XEN) || served.equals(XEN_ON_HYPERV)) {
            return pair(XEN, XEN_ON_HYPERV, header);
        }
        if (served.equals(HYPERV) || served.equals(HYPERV_ON_XEN)) {
            return pair(HYPERV, HYPERV_ON_XEN, header);
        }
        throw new IllegalArgumentException("no replay pair for traces served by '" + served
                + "' (known: " + String.join(", ", names()) + ")");
    }

    /**
     * The named pair for a trace ({@code replay --pair}): both personalities configured from the
     * header, and each served the request its guest would have made to it (Xen found at another
     * CPUID base: {@link XenDiscovery}).
     *
     * @throws IllegalArgumentException for an unknown name or a bad configuration value
     */
    public static Pair pair(String reference, String translated, JournalHeader header) {
        SortedMap<String, String> config = new TreeMap<>(header.config());
        String served = header.get(JournalHeader.BACKEND);
        if (served == null) {
            served = XEN; // journals before the header named their backend were all served by xen
        }
        for (String name : List.of(reference, translated)) {
            if (!canServeGuestsOf(name, served)) {
                throw new UnservableTrace("'" + name + "' cannot serve this trace: its guest was served by '" + served
                        + "', so it makes " + (servesHyperVGuests(served) ? "Hyper-V" : "Xen") + " hypercalls, which "
                        + name + " has no ABI for");
            }
        }
        Backend ref = create(reference, config);
        Backend tr = create(translated, config);
        return new Pair(ref, tr, relocation(served, reference, config), relocation(served, translated, config));
    }

    /** A pair that cannot serve the trace's guest at all: the caller chose the pair wrongly. */
    public static final class UnservableTrace extends IllegalArgumentException {
        UnservableTrace(String message) {
            super(message);
        }
    }

    /** True for the backends whose guests make Hyper-V hypercalls (the guest found Hyper-V first). */
    private static boolean servesHyperVGuests(String served) {
        return served.equals(HYPERV) || served.equals(HYPERV_ON_XEN);
    }

    /**
     * Whether {@code backend} has the ABI of the guests {@code served} served: the reference Xen
     * model has no Hyper-V hypercalls and the Hyper-V model no Xen ones; the two translating
     * backends offer both (the adapter's partition serves Hyper-V calls, viridian runs on Xen).
     */
    private static boolean canServeGuestsOf(String backend, String served) {
        return servesHyperVGuests(served) ? !backend.equals(XEN) : !backend.equals(HYPERV);
    }

    /** How a request the guest made to {@code served} reads when made to {@code to}. */
    private static UnaryOperator<GuestRequest> relocation(String served, String to, SortedMap<String, String> config) {
        Integer from = xenCpuidBase(served, config);
        Integer target = xenCpuidBase(to, config);
        if (from == null || target == null) {
            return UnaryOperator.identity();
        }
        return XenDiscovery.relocate(from, target);
    }

    /** Where a Xen guest finds Xen's leaves under this personality, or null if it offers no Xen ABI. */
    private static Integer xenCpuidBase(String backend, SortedMap<String, String> config) {
        return switch (backend) {
            case XEN -> XenConfig.fromMap(only(config, "xen.")).cpuidBase();
            case XEN_ON_HYPERV -> XenOnHyperV.XEN_CPUID_BASE;
            // Viridian owns 0x40000000: Xen's leaves are at 0x40000100 (ViridianConfig.xen()).
            case HYPERV_ON_XEN -> CpuidH.XEN_CPUID_VIRIDIAN_BASE;
            default -> null;
        };
    }
}
