package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.CpuVendor;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * What determines a Hyper-V partition's answers. Round-trips through {@code hyperv.*} keys
 * ({@link #toMap()}, {@link #fromMap(Map)}), which the journal header stores under {@code config.}.
 *
 * @param personality which implementation to follow where they disagree ({@code hyperv.personality})
 * @param privileges  HV_PARTITION_PRIVILEGE_MASK, EAX | EBX &lt;&lt; 32 of CPUID 0x40000003
 *                    ({@code hyperv.privileges}, hex)
 * @param ports       ports and connections the root preconfigured ({@code hyperv.ports}, {@link HvPorts} form)
 * @param vcpus       number of virtual processors ({@code hyperv.vcpus})
 * @param vendor      CPU vendor, which picks the hypercall-page instruction ({@code hyperv.vendor})
 * @param spinRetries CPUID 0x40000004 EBX, spinlock retries before HvCallNotifyLongSpinWait;
 *                    0xFFFFFFFF means never notify ({@code hyperv.spin-retries})
 * @param tscKhz      the TSC frequency of the CPU the partition runs on, kHz ({@code hyperv.tsc-khz}):
 *                    what HV_X64_MSR_TSC_FREQUENCY reports (in Hz) and the reference TSC page's scale
 *                    derives from; the TSC counts from 0 at partition creation
 */
public record HvConfig(HvPersonality personality, long privileges, HvPorts ports, int vcpus, CpuVendor vendor,
                       int spinRetries, int tscKhz) {

    public static final String PERSONALITY = "hyperv.personality";
    public static final String PRIVILEGES = "hyperv.privileges";
    public static final String PORTS = "hyperv.ports";
    public static final String VCPUS = "hyperv.vcpus";
    public static final String VENDOR = "hyperv.vendor";
    public static final String SPIN_RETRIES = "hyperv.spin-retries";
    public static final String TSC_KHZ = "hyperv.tsc-khz";

    /**
     * Default TSC frequency: 2 GHz, the same default as the Xen model's {@code xen.tsc-khz}, so the
     * two personalities of a pair run on one CPU unless configured otherwise.
     */
    public static final int DEFAULT_TSC_KHZ = 2_000_000;

    /**
     * Most VPs a partition may have here: the sparse VP set addresses 64 banks of 64 VPs
     * (TLFS datatype hv_vp_set; Linux {@code HV_MAX_SPARSE_VCPU_BANKS} = 64).
     */
    public static final int MAX_VCPUS = 64 * 64;

    /**
     * Default spinlock retry count: Xen's {@code viridian_spinlock_retry_count} = 2047
     * ({@code xen/arch/x86/hvm/viridian/viridian.c}). A finite count keeps NotifyLongSpinWait
     * usable under the kvm personality, which denies the call for 0 and 0xFFFFFFFF
     * ({@code hv_check_hypercall_access()}).
     */
    public static final int DEFAULT_SPIN_RETRIES = 2047;

    public HvConfig {
        if (personality == null || ports == null || vendor == null) {
            throw new IllegalArgumentException("Hyper-V config fields must not be null");
        }
        if (vcpus < 1 || vcpus > MAX_VCPUS) {
            throw new IllegalArgumentException(VCPUS + " = " + vcpus + " out of range 1.." + MAX_VCPUS);
        }
        for (HvPort p : ports.byConnection().values()) {
            if (p.vp() >= vcpus) {
                throw new IllegalArgumentException(String.format("%s: connection 0x%x targets vp%d but the partition has %d vcpus",
                        PORTS, p.connectionId(), p.vp(), vcpus));
            }
        }
        if (tscKhz <= 0) {
            throw new IllegalArgumentException(TSC_KHZ + " = " + tscKhz + " must be positive");
        }
    }

    /** A configuration on the default 2 GHz CPU. */
    public HvConfig(HvPersonality personality, long privileges, HvPorts ports, int vcpus, CpuVendor vendor,
                    int spinRetries) {
        this(personality, privileges, ports, vcpus, vendor, spinRetries, DEFAULT_TSC_KHZ);
    }

    /** The defaults: tlfs, a normal guest's privileges, no ports, one vCPU, Intel, 2047 retries, 2 GHz. */
    public static HvConfig defaults() {
        return new HvConfig(HvPersonality.TLFS, HvPrivilege.DEFAULT_GUEST, HvPorts.NONE, 1, CpuVendor.INTEL,
                DEFAULT_SPIN_RETRIES, DEFAULT_TSC_KHZ);
    }

    public HvConfig withPersonality(HvPersonality p) {
        return new HvConfig(p, privileges, ports, vcpus, vendor, spinRetries, tscKhz);
    }

    public HvConfig withPrivileges(long mask) {
        return new HvConfig(personality, mask, ports, vcpus, vendor, spinRetries, tscKhz);
    }

    public HvConfig withPorts(HvPorts p) {
        return new HvConfig(personality, privileges, p, vcpus, vendor, spinRetries, tscKhz);
    }

    public HvConfig withVcpus(int n) {
        return new HvConfig(personality, privileges, ports, n, vendor, spinRetries, tscKhz);
    }

    public HvConfig withVendor(CpuVendor v) {
        return new HvConfig(personality, privileges, ports, vcpus, v, spinRetries, tscKhz);
    }

    public HvConfig withSpinRetries(int n) {
        return new HvConfig(personality, privileges, ports, vcpus, vendor, n, tscKhz);
    }

    public HvConfig withTscKhz(int khz) {
        return new HvConfig(personality, privileges, ports, vcpus, vendor, spinRetries, khz);
    }

    /** True when the partition holds every bit of {@code privilege}. */
    public boolean has(long privilege) {
        return (privileges & privilege) == privilege;
    }

    /** Every key with its value, canonical form. */
    public SortedMap<String, String> toMap() {
        TreeMap<String, String> m = new TreeMap<>();
        m.put(PERSONALITY, personality.textName());
        m.put(PRIVILEGES, "0x" + Long.toHexString(privileges));
        m.put(PORTS, ports.print());
        m.put(VCPUS, Integer.toString(vcpus));
        m.put(VENDOR, vendor.textName());
        m.put(SPIN_RETRIES, "0x" + Integer.toHexString(spinRetries));
        m.put(TSC_KHZ, Integer.toString(tscKhz));
        return m;
    }

    /**
     * Builds a config from {@code hyperv.*} keys; missing keys take {@link #defaults()}.
     *
     * @throws IllegalArgumentException for an unknown key or a bad value, naming it
     */
    public static HvConfig fromMap(Map<String, String> map) {
        HvConfig c = defaults();
        // Apply in key order so a vcpus/ports conflict is judged on the final values.
        int vcpus = c.vcpus;
        HvPorts ports = c.ports;
        HvPersonality personality = c.personality;
        long privileges = c.privileges;
        CpuVendor vendor = c.vendor;
        int spin = c.spinRetries;
        int tscKhz = c.tscKhz;
        for (var e : new TreeMap<>(map).entrySet()) {
            String v = e.getValue();
            switch (e.getKey()) {
                case PERSONALITY -> personality = HvPersonality.fromTextName(v);
                case PRIVILEGES -> privileges = parseHex64(PRIVILEGES, v);
                case PORTS -> ports = HvPorts.parse(v);
                case VCPUS -> vcpus = parseDecimal(VCPUS, v);
                case VENDOR -> vendor = CpuVendor.fromTextName(v);
                case SPIN_RETRIES -> spin = (int) parseNumber32(SPIN_RETRIES, v);
                case TSC_KHZ -> tscKhz = parseDecimal(TSC_KHZ, v);
                default -> throw new IllegalArgumentException("unknown Hyper-V configuration key '" + e.getKey()
                        + "' (known: " + String.join(", ", PERSONALITY, PRIVILEGES, PORTS, VCPUS, VENDOR, SPIN_RETRIES,
                        TSC_KHZ) + ")");
            }
        }
        return new HvConfig(personality, privileges, ports, vcpus, vendor, spin, tscKhz);
    }

    private static long parseHex64(String key, String v) {
        if (!v.matches("0x[0-9a-fA-F]{1,16}")) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a 64-bit hex value like 0x300000087e");
        }
        return Long.parseUnsignedLong(v.substring(2), 16);
    }

    private static int parseDecimal(String key, String v) {
        if (!v.matches("[0-9]{1,9}")) {
            throw new IllegalArgumentException(key + " = '" + v + "' is not a decimal number");
        }
        return Integer.parseInt(v);
    }

    private static long parseNumber32(String key, String v) {
        if (v.matches("0x[0-9a-fA-F]{1,8}")) {
            return Long.parseLong(v.substring(2), 16);
        }
        if (v.matches("[0-9]{1,10}") && Long.parseLong(v) <= 0xffffffffL) {
            return Long.parseLong(v);
        }
        throw new IllegalArgumentException(key + " = '" + v + "' is not a 32-bit number (decimal or 0x hex)");
    }
}
