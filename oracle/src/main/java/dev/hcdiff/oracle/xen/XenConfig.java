package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.backend.CpuVendor;

import java.util.Collections;
import java.util.Locale;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.UUID;

/**
 * What determines the reference Xen's answers, as {@code xen.*} configuration entries (they go into
 * the journal header and rebuild an identical backend for replay).
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>key</th><th>default</th><th>meaning</th></tr>
 *   <tr><td>xen.version</td><td>4.17.7</td><td>the Xen modelled; only 4.17.7 (Debian 12's
 *       4.17.7+13-g2445b30a44-0+deb12u1) is</td></tr>
 *   <tr><td>xen.build</td><td>release</td><td>{@code release} (Debian's build, CONFIG_DEBUG unset) or
 *       {@code debug} (CONFIG_VERBOSE_DEBUG defaults on: a domU may CONSOLEIO_write)</td></tr>
 *   <tr><td>xen.domid</td><td>1</td><td>the domain's id: the first domU xl creates; 1..0x7fef</td></tr>
 *   <tr><td>xen.vcpus</td><td>1</td><td>vCPUs, 1..32 (vcpu_info of vCPUs &ge; 32 needs
 *       VCPUOP_register_vcpu_info, not modelled)</td></tr>
 *   <tr><td>xen.vendor</td><td>intel</td><td>{@code intel} (vmcall stubs) or {@code amd} (vmmcall)</td></tr>
 *   <tr><td>xen.cpuid-base</td><td>0x40000000</td><td>0x40000000, or 0x40000100 when Viridian owns
 *       the first range (hypercall MSR 0x40000200)</td></tr>
 *   <tr><td>xen.max-evtchn-port</td><td>1023</td><td>libxl's {@code event_channels} default
 *       ({@code tools/libs/light/libxl_create.c}); 0..2147483647</td></tr>
 *   <tr><td>xen.tsc-khz</td><td>2000000</td><td>guest TSC kHz (= host cpu_khz) for CPUID base+3; the
 *       recorder sets it from KVM_GET_TSC_KHZ</td></tr>
 *   <tr><td>xen.uuid</td><td>00000000-0000-0000-0000-000000000000</td><td>the domain handle
 *       XENVER_guest_handle returns</td></tr>
 *   <tr><td>xen.domain</td><td>bare</td><td>{@code bare}: a domain with RAM and nothing a toolstack
 *       adds (no e820, no HVM params, no xenstore: the built-in guests); {@code xl-hvm}: the state
 *       libxl gives a new HVM domain, its device model not running (firmware boots);
 *       {@code xl-pvh}: the state libxl gives a new PVH domain (PVH boots)
 *       ({@link dev.hcdiff.oracle.toolstack.XlHvmBuild})</td></tr>
 *   <tr><td>xen.memory-bytes</td><td>67108864</td><td>the guest's low RAM in bytes, a multiple of
 *       4096 in [1 MiB, 0xF0000000]; reported in {@link #toMap()} for {@code xl-hvm} and
 *       {@code xl-pvh} or when not the default</td></tr>
 * </table>
 */
public record XenConfig(String version, Build build, int domid, int vcpus, CpuVendor vendor, int cpuidBase,
                        int maxEvtchnPort, int tscKhz, UUID uuid, DomainKind domain, long memoryBytes) {

    /** What the toolstack built: decides the domain's initial memory, params, ports and xenstore. */
    public enum DomainKind {
        /** RAM [0, memory-bytes) and nothing else: what the built-in guests have always been served. */
        BARE("bare"),
        /**
         * A fresh {@code xl create} HVM domain, built by libxl for its device model (which is not
         * running): issue 3's firmware boots.
         */
        XL_HVM("xl-hvm"),
        /** A fresh {@code xl create} PVH domain (no device model): the PVH boots. */
        XL_PVH("xl-pvh");

        private final String configName;

        DomainKind(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }

        /** True for the kinds libxl built (a toolstack, HVM params, xenstore, an e820). */
        public boolean fromToolstack() {
            return this != BARE;
        }
    }

    /** Which Xen build: decides what XSM's dummy policy lets a domU do with console_io. */
    public enum Build {
        RELEASE("release"),
        DEBUG("debug");

        private final String configName;

        Build(String configName) {
            this.configName = configName;
        }

        public String configName() {
            return configName;
        }
    }

    public static final String VERSION = "xen.version";
    public static final String BUILD = "xen.build";
    public static final String DOMID = "xen.domid";
    public static final String VCPUS = "xen.vcpus";
    public static final String VENDOR = "xen.vendor";
    public static final String CPUID_BASE = "xen.cpuid-base";
    public static final String MAX_EVTCHN_PORT = "xen.max-evtchn-port";
    public static final String TSC_KHZ = "xen.tsc-khz";
    public static final String UUID_KEY = "xen.uuid";
    public static final String DOMAIN = "xen.domain";
    public static final String MEMORY_BYTES = "xen.memory-bytes";

    /** The default guest RAM: the recorder's default (64 MiB). */
    public static final long DEFAULT_MEMORY_BYTES = 64L << 20;
    /** The smallest guest RAM: 1 MiB, so the VGA hole and the firmware's load address exist. */
    public static final long MIN_MEMORY_BYTES = 1L << 20;
    /**
     * {@code xen/include/public/hvm/e820.h} HVM_BELOW_4G_MMIO_START (0xF0000000): where libxl's
     * default MMIO hole starts; the model keeps all RAM below it (no RAM above 4 GiB).
     */
    public static final long MAX_MEMORY_BYTES = 0xF000_0000L;

    /** The one Xen version modelled. */
    public static final String MODELLED_VERSION = "4.17.7";

    public XenConfig {
        if (!MODELLED_VERSION.equals(version)) {
            throw new IllegalArgumentException(VERSION + "=" + version + " is not modelled (only " + MODELLED_VERSION + ")");
        }
        if (build == null || vendor == null || uuid == null) {
            throw new IllegalArgumentException("xen config: build, vendor and uuid must be set");
        }
        if (domid < 1 || domid >= XenH.DOMID_FIRST_RESERVED) {
            throw new IllegalArgumentException(DOMID + "=" + domid + " is not a domU id (1..0x7fef)");
        }
        if (vcpus < 1 || vcpus > XenH.XEN_LEGACY_MAX_VCPUS) {
            throw new IllegalArgumentException(VCPUS + "=" + vcpus + " is out of range (1..32)");
        }
        if (cpuidBase != CpuidH.XEN_CPUID_FIRST_LEAF && cpuidBase != CpuidH.XEN_CPUID_VIRIDIAN_BASE) {
            throw new IllegalArgumentException(CPUID_BASE + "=0x" + Integer.toHexString(cpuidBase)
                    + " is not 0x40000000 or 0x40000100");
        }
        if (maxEvtchnPort < 0) {
            throw new IllegalArgumentException(MAX_EVTCHN_PORT + "=" + maxEvtchnPort + " is negative");
        }
        if (tscKhz <= 0) {
            throw new IllegalArgumentException(TSC_KHZ + "=" + tscKhz + " must be positive");
        }
        if (domain == null) {
            throw new IllegalArgumentException("xen config: domain must be set");
        }
        if (memoryBytes < MIN_MEMORY_BYTES || memoryBytes > MAX_MEMORY_BYTES || memoryBytes % 4096 != 0) {
            throw new IllegalArgumentException(MEMORY_BYTES + "=" + memoryBytes
                    + " is not a multiple of 4096 in [1048576, 0xf0000000]");
        }
    }

    /** The configuration of issue 2 (a bare domain of the default size) with these nine values. */
    public XenConfig(String version, Build build, int domid, int vcpus, CpuVendor vendor, int cpuidBase,
                     int maxEvtchnPort, int tscKhz, UUID uuid) {
        this(version, build, domid, vcpus, vendor, cpuidBase, maxEvtchnPort, tscKhz, uuid, DomainKind.BARE,
                DEFAULT_MEMORY_BYTES);
    }

    /** This configuration as an xl HVM domain of {@code bytes} of low RAM. */
    public XenConfig withXlHvm(long bytes) {
        return new XenConfig(version, build, domid, vcpus, vendor, cpuidBase, maxEvtchnPort, tscKhz, uuid,
                DomainKind.XL_HVM, bytes);
    }

    /** This configuration as an xl PVH domain of {@code bytes} of low RAM. */
    public XenConfig withXlPvh(long bytes) {
        return new XenConfig(version, build, domid, vcpus, vendor, cpuidBase, maxEvtchnPort, tscKhz, uuid,
                DomainKind.XL_PVH, bytes);
    }

    /** Xen 4.17.7 release, domain 1, one vCPU, Intel, no Viridian, 1023 ports, 2 GHz, nil UUID, bare, 64 MiB. */
    public static XenConfig defaults() {
        return new XenConfig(MODELLED_VERSION, Build.RELEASE, 1, 1, CpuVendor.INTEL, CpuidH.XEN_CPUID_FIRST_LEAF,
                1023, 2_000_000, new UUID(0, 0), DomainKind.BARE, DEFAULT_MEMORY_BYTES);
    }

    /**
     * Reads the {@code xen.*} entries of a configuration (other prefixes belong to other backends
     * and are ignored); missing keys keep their defaults.
     *
     * @throws IllegalArgumentException naming an unknown {@code xen.} key or a bad value
     */
    public static XenConfig fromMap(SortedMap<String, String> map) {
        XenConfig d = defaults();
        String version = d.version;
        Build build = d.build;
        int domid = d.domid;
        int vcpus = d.vcpus;
        CpuVendor vendor = d.vendor;
        int cpuidBase = d.cpuidBase;
        int maxPort = d.maxEvtchnPort;
        int tscKhz = d.tscKhz;
        UUID uuid = d.uuid;
        DomainKind domain = d.domain;
        long memoryBytes = d.memoryBytes;
        for (var e : map.entrySet()) {
            String k = e.getKey();
            String v = e.getValue();
            if (!k.startsWith("xen.")) {
                continue;
            }
            switch (k) {
                case VERSION -> version = v;
                case BUILD -> build = switch (v) {
                    case "release" -> Build.RELEASE;
                    case "debug" -> Build.DEBUG;
                    default -> throw bad(k, v, "release or debug");
                };
                case DOMID -> domid = parseInt(k, v);
                case VCPUS -> vcpus = parseInt(k, v);
                case VENDOR -> vendor = switch (v) {
                    case "intel" -> CpuVendor.INTEL;
                    case "amd" -> CpuVendor.AMD;
                    default -> throw bad(k, v, "intel or amd");
                };
                case CPUID_BASE -> cpuidBase = parseInt(k, v);
                case MAX_EVTCHN_PORT -> maxPort = parseInt(k, v);
                case TSC_KHZ -> tscKhz = parseInt(k, v);
                case UUID_KEY -> {
                    try {
                        uuid = UUID.fromString(v);
                    } catch (IllegalArgumentException ex) {
                        throw bad(k, v, "a UUID such as 00000000-0000-0000-0000-000000000000");
                    }
                }
                case DOMAIN -> domain = switch (v) {
                    case "bare" -> DomainKind.BARE;
                    case "xl-hvm" -> DomainKind.XL_HVM;
                    case "xl-pvh" -> DomainKind.XL_PVH;
                    default -> throw bad(k, v, "bare, xl-hvm or xl-pvh");
                };
                case MEMORY_BYTES -> memoryBytes = parseLong(k, v);
                default -> throw new IllegalArgumentException("unknown configuration key '" + k + "' (xen keys: "
                        + String.join(", ", d.withXlHvm(d.memoryBytes).toMap().keySet()) + ")");
            }
        }
        return new XenConfig(version, build, domid, vcpus, vendor, cpuidBase, maxPort, tscKhz, uuid, domain,
                memoryBytes);
    }

    /** All keys with their values, as {@code Backend.configuration()} reports them. */
    public SortedMap<String, String> toMap() {
        TreeMap<String, String> m = new TreeMap<>();
        m.put(VERSION, version);
        m.put(BUILD, build.configName());
        m.put(DOMID, Integer.toString(domid));
        m.put(VCPUS, Integer.toString(vcpus));
        m.put(VENDOR, vendor.textName());
        m.put(CPUID_BASE, "0x" + Integer.toHexString(cpuidBase));
        m.put(MAX_EVTCHN_PORT, Integer.toString(maxEvtchnPort));
        m.put(TSC_KHZ, Integer.toString(tscKhz));
        m.put(UUID_KEY, uuid.toString());
        m.put(DOMAIN, domain.configName());
        // A bare domain of the default size reports no size, so a recorder that gives a built-in
        // guest another size does not see a configuration that contradicts it.
        if (domain.fromToolstack() || memoryBytes != DEFAULT_MEMORY_BYTES) {
            m.put(MEMORY_BYTES, Long.toString(memoryBytes));
        }
        return Collections.unmodifiableSortedMap(m);
    }

    /** The 16 bytes of {@code xen_domain_handle_t}: the UUID in its textual (big-endian) byte order, as libxl copies it. */
    public byte[] handle() {
        byte[] h = new byte[16];
        for (int i = 0; i < 8; i++) {
            h[i] = (byte) (uuid.getMostSignificantBits() >>> (56 - 8 * i));
            h[8 + i] = (byte) (uuid.getLeastSignificantBits() >>> (56 - 8 * i));
        }
        return h;
    }

    private static int parseInt(String key, String v) {
        try {
            String s = v.trim().toLowerCase(Locale.ROOT);
            long n = s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
            if (n < Integer.MIN_VALUE || n > 0xffffffffL) {
                throw bad(key, v, "a 32-bit number");
            }
            return (int) n;
        } catch (NumberFormatException ex) {
            throw bad(key, v, "a number (decimal or 0x hex)");
        }
    }

    private static long parseLong(String key, String v) {
        try {
            String s = v.trim().toLowerCase(Locale.ROOT);
            return s.startsWith("0x") ? Long.parseLong(s.substring(2), 16) : Long.parseLong(s);
        } catch (NumberFormatException ex) {
            throw bad(key, v, "a number of bytes (decimal or 0x hex)");
        }
    }

    private static IllegalArgumentException bad(String key, String value, String expected) {
        return new IllegalArgumentException("bad value '" + value + "' for " + key + " (expected " + expected + ")");
    }
}
