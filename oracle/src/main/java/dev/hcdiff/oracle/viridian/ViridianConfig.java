package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.oracle.xen.abi.XenH;

import java.util.Map;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What determines the {@code hyperv-on-xen} personality's answers, as configuration keys (they go
 * into the journal header under {@code config.} and rebuild an identical backend):
 * <ul>
 *   <li>{@code hyperv.vcpus} (1): vCPUs, 1..32 (the Xen model's limit, {@code xen.vcpus});</li>
 *   <li>{@code hyperv.vendor} (intel): picks {@code vmcall} or {@code vmmcall} in the hypercall page;</li>
 *   <li>{@code hyperv.tsc-khz} (2000000): {@code d->arch.tsc_khz}, the TSC the reference counter
 *       and TSC page scale from;</li>
 *   <li>{@code xen.version} (4.17.7): the Xen whose viridian is modelled;</li>
 *   <li>{@code viridian.features} ({@link ViridianFeatures#ALL}, hex): HVM_PARAM_VIRIDIAN. Under its
 *       own prefix, not {@code xen.}: a header carrying it must still build the reference Xen
 *       model, which rejects {@code xen.*} keys it does not know.</li>
 * </ul>
 * The other {@code hyperv.*} keys (personality, privileges, ports, spin retries) describe a
 * Hyper-V the TLFS model plays; under Xen they are fixed by viridian itself, so they are ignored,
 * as are the other {@code xen.*} keys of a Xen recording. An unknown key under either prefix is an
 * error.
 */
public record ViridianConfig(int vcpus, CpuVendor vendor, int tscKhz, String xenVersion, long features) {

    /** Key of the viridian feature mask (HVM_PARAM_VIRIDIAN). */
    public static final String VIRIDIAN = "viridian.features";
    /** Keys of the TLFS model that viridian fixes itself, ignored here. */
    private static final Set<String> HV_IGNORED = Set.of(HvConfig.PERSONALITY, HvConfig.PRIVILEGES, HvConfig.PORTS,
            HvConfig.SPIN_RETRIES);

    public ViridianConfig {
        if (vcpus < 1 || vcpus > XenH.XEN_LEGACY_MAX_VCPUS) {
            throw new IllegalArgumentException(HvConfig.VCPUS + " = " + vcpus + " out of range 1.."
                    + XenH.XEN_LEGACY_MAX_VCPUS + " (the Xen model's vCPU limit)");
        }
        if (vendor == null || xenVersion == null) {
            throw new IllegalArgumentException("hyperv-on-xen config: vendor and xen.version must be set");
        }
        if (tscKhz <= 0) {
            throw new IllegalArgumentException(HvConfig.TSC_KHZ + " = " + tscKhz + " must be positive");
        }
        ViridianFeatures.check(features);
        // The Xen underneath validates the rest (version, vcpus) with its own messages.
        xen(vcpus, vendor, tscKhz, xenVersion);
    }

    /** One vCPU, Intel, 2 GHz, Xen 4.17.7, every viridian group. */
    public static ViridianConfig defaults() {
        return new ViridianConfig(1, CpuVendor.INTEL, HvConfig.DEFAULT_TSC_KHZ, XenConfig.MODELLED_VERSION,
                ViridianFeatures.ALL);
    }

    public ViridianConfig withVcpus(int n) {
        return new ViridianConfig(n, vendor, tscKhz, xenVersion, features);
    }

    public ViridianConfig withFeatures(long mask) {
        return new ViridianConfig(vcpus, vendor, tscKhz, xenVersion, mask);
    }

    public ViridianConfig withTscKhz(int khz) {
        return new ViridianConfig(vcpus, vendor, khz, xenVersion, features);
    }

    public ViridianConfig withVendor(CpuVendor v) {
        return new ViridianConfig(vcpus, v, tscKhz, xenVersion, features);
    }

    /** True when HVM_PARAM_VIRIDIAN has every bit of {@code feature}. */
    public boolean has(long feature) {
        return (features & feature) == feature;
    }

    /**
     * The Xen domain underneath: Xen's own leaves at 0x40000100 and its hypercall-page MSR at
     * 0x40000200, as {@code xen/arch/x86/cpuid.c} and {@code msr.c} place them for a viridian domain.
     */
    public XenConfig xen() {
        return xen(vcpus, vendor, tscKhz, xenVersion);
    }

    private static XenConfig xen(int vcpus, CpuVendor vendor, int tscKhz, String version) {
        XenConfig d = XenConfig.defaults();
        return new XenConfig(version, d.build(), d.domid(), vcpus, vendor, CpuidH.XEN_CPUID_VIRIDIAN_BASE,
                d.maxEvtchnPort(), tscKhz, d.uuid());
    }

    /** Every key with its value, canonical form. */
    public SortedMap<String, String> toMap() {
        TreeMap<String, String> m = new TreeMap<>();
        m.put(HvConfig.VCPUS, Integer.toString(vcpus));
        m.put(HvConfig.VENDOR, vendor.textName());
        m.put(HvConfig.TSC_KHZ, Integer.toString(tscKhz));
        m.put(XenConfig.VERSION, xenVersion);
        m.put(VIRIDIAN, "0x" + Long.toHexString(features));
        return m;
    }

    /**
     * Reads the keys above; missing ones take {@link #defaults()}.
     *
     * @throws IllegalArgumentException for an unknown {@code hyperv.}/{@code xen.} key or a bad value, naming it
     */
    public static ViridianConfig fromMap(Map<String, String> map) {
        ViridianConfig d = defaults();
        int vcpus = d.vcpus;
        CpuVendor vendor = d.vendor;
        int tscKhz = d.tscKhz;
        String version = d.xenVersion;
        long features = d.features;
        Set<String> xenKeys = XenConfig.defaults().withXlHvm(XenConfig.DEFAULT_MEMORY_BYTES).toMap().keySet();
        for (Map.Entry<String, String> e : new TreeMap<>(map).entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            switch (k) {
                case HvConfig.VCPUS -> vcpus = decimal(k, v);
                case HvConfig.VENDOR -> vendor = CpuVendor.fromTextName(v);
                case HvConfig.TSC_KHZ -> tscKhz = decimal(k, v);
                case XenConfig.VERSION -> version = v;
                case VIRIDIAN -> features = hex(k, v);
                default -> {
                    boolean ignored = HV_IGNORED.contains(k) || xenKeys.contains(k);
                    if (!ignored && (k.startsWith("hyperv.") || k.startsWith("xen.") || k.startsWith("viridian."))) {
                        throw new IllegalArgumentException("unknown hyperv-on-xen configuration key '" + k + "' (known: "
                                + String.join(", ", d.toMap().keySet()) + ")");
                    }
                }
            }
        }
        return new ViridianConfig(vcpus, vendor, tscKhz, version, features);
    }

    private static int decimal(String key, String v) {
        if (!v.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a decimal number");
        }
        return Integer.parseInt(v);
    }

    private static long hex(String key, String v) {
        if (!v.matches("0x[0-9a-fA-F]{1,4}")) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a feature mask like 0x1ffd");
        }
        return Long.parseLong(v.substring(2), 16);
    }
}
