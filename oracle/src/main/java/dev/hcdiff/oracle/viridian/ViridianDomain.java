package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.platform.Vlapic;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code struct viridian_domain} with the Xen domain it extends: the partition-wide registers
 * (guest OS id, hypercall page, reference TSC page), one {@link ViridianVcpu} per vCPU, and the
 * reference Xen model ({@link XenBackend}, Xen's leaves at 0x40000100) whose vLAPICs viridian's
 * APIC MSRs, IPIs and SINTs act on. Single-threaded.
 */
final class ViridianDomain {

    /** {@code SHUTDOWN_crash} (xen/include/public/sched.h), set by CRASH_CTL.CrashNotify. */
    static final int SHUTDOWN_CRASH = 3;

    final ViridianConfig config;
    final XenBackend xen;
    final ViridianVcpu[] vcpus;
    /** {@code vd->guest_os_id.raw}. */
    long guestOsId;
    /** {@code vd->hypercall_gpa.raw}. */
    long hypercallGpa;
    /** {@code vd->reference_tsc}. */
    final ViridianPage referenceTsc = new ViridianPage();
    /**
     * {@code d->shutdown_code}: CRASH_CTL sets it without shutting the domain down (the guest goes
     * on to stop itself), so no guest sees it until then; -1 while unset.
     */
    int shutdownCode = -1;
    final List<HyperVOnXen.Crash> crashes = new ArrayList<>();

    ViridianDomain(ViridianConfig config) {
        this.config = config;
        this.xen = new XenBackend(config.xen());
        this.vcpus = new ViridianVcpu[config.vcpus()];
        for (int i = 0; i < vcpus.length; i++) {
            vcpus[i] = new ViridianVcpu(i);
        }
    }

    /** {@code vcpu_vlapic(d->vcpu[vp])}. */
    Vlapic vlapic(int vp) {
        return xen.domain().vcpu(vp).vlapic();
    }

    /** {@code viridian_feature_mask(d) & feature}. */
    boolean has(long feature) {
        return config.has(feature);
    }
}
