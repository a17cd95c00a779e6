package dev.hcdiff.recorder;

import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.recorder.kvm.Kvm;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.kvm.VmFd;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * Facts about the host that go into the journal header and into the backend's configuration
 * (the hypercall page holds {@code vmcall} on Intel and {@code vmmcall} on AMD hosts).
 */
public final class HostFacts {

    private HostFacts() {
    }

    /** Intel's and AMD's CPUID vendor strings as {@code /proc/cpuinfo} shows them. */
    private static final String INTEL = "GenuineIntel";
    private static final String AMD = "AuthenticAMD";

    /** {@code "intel"}, {@code "amd"}, or the raw vendor string in lower case for anything else. */
    public static String cpuVendor() {
        String v = cpuinfo("vendor_id");
        return switch (v) {
            case INTEL -> "intel";
            case AMD -> "amd";
            default -> v.toLowerCase(java.util.Locale.ROOT);
        };
    }

    /** The CPU model name, e.g. {@code "AMD EPYC"}. */
    public static String cpuModel() {
        return cpuinfo("model name");
    }

    /**
     * The guest TSC frequency KVM gives a new vCPU on this host (KVM_GET_TSC_KHZ), for the Xen
     * model's {@code xen.tsc-khz} (CPUID base+3).
     *
     * @throws dev.hcdiff.recorder.kvm.KvmUnavailable when /dev/kvm cannot be used
     */
    public static int tscKhz() {
        try (Kvm kvm = Kvm.open(Set.of());
             VmFd vm = kvm.createVm();
             VcpuFd vcpu = vm.createVcpu(0)) {
            return vcpu.tscKhz();
        }
    }

    /**
     * The {@code xen.*} configuration entries this host decides for the reference Xen:
     * {@code xen.vendor} (Xen writes vmcall stubs on Intel, vmmcall on AMD) and
     * {@code xen.tsc-khz} (CPUID base+3, from KVM_GET_TSC_KHZ). Merge them into the backend's
     * configuration before building it.
     *
     * @throws dev.hcdiff.recorder.kvm.KvmUnavailable when /dev/kvm cannot be used
     */
    public static SortedMap<String, String> xenHostConfig() {
        TreeMap<String, String> m = new TreeMap<>();
        String vendor = cpuVendor();
        if (vendor.equals("intel") || vendor.equals("amd")) {
            m.put(XenConfig.VENDOR, vendor);
        }
        m.put(XenConfig.TSC_KHZ, Integer.toString(tscKhz()));
        return m;
    }

    /** The running kernel's release ({@code /proc/sys/kernel/osrelease}). */
    public static String kernelRelease() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/osrelease")).strip();
        } catch (IOException e) {
            return System.getProperty("os.version", "unknown");
        }
    }

    private static String cpuinfo(String key) {
        try {
            List<String> lines = Files.readAllLines(Path.of("/proc/cpuinfo"));
            for (String line : lines) {
                int colon = line.indexOf(':');
                if (colon > 0 && line.substring(0, colon).strip().equals(key)) {
                    return line.substring(colon + 1).strip();
                }
            }
        } catch (IOException e) {
            return "unknown";
        }
        return "unknown";
    }
}
