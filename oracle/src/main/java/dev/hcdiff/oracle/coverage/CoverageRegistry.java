package dev.hcdiff.oracle.coverage;

import java.util.List;

/**
 * The classes whose methods carry the {@link Covers} of each translating backend: explicit lists,
 * so the table is read from exactly these and a reader can grep them. Classes are named, not
 * referenced, because most are package-private to their backend; a name not on the class path is
 * reported by the table, not an error (another part of the backend may not exist yet).
 */
public final class CoverageRegistry {

    private CoverageRegistry() {
    }

    /** Every class of the Xen-to-Hyper-V adapter ({@code xen-on-hyperv}) that serves a Xen call. */
    public static final List<String> XEN_ON_HYPERV = List.of(
            "dev.hcdiff.oracle.adapter.XenOnHyperV",
            "dev.hcdiff.oracle.adapter.EventChannelOps",
            "dev.hcdiff.oracle.adapter.SchedOps",
            "dev.hcdiff.oracle.adapter.MemoryOps",
            "dev.hcdiff.oracle.adapter.PhysmapOps",
            "dev.hcdiff.oracle.adapter.HvmOps",
            "dev.hcdiff.oracle.adapter.XenIdentity",
            "dev.hcdiff.oracle.adapter.AdapterConsole",
            "dev.hcdiff.oracle.adapter.XenOnlyCalls",
            "dev.hcdiff.oracle.adapter.TimerOps",
            "dev.hcdiff.oracle.adapter.VcpuOps");

    /**
     * Every class of the Hyper-V-on-Xen backend ({@code hyperv-on-xen}, Xen's viridian) that serves a
     * Hyper-V call or synthetic MSR.
     */
    public static final List<String> HYPERV_ON_XEN = List.of(
            "dev.hcdiff.oracle.viridian.HyperVOnXen",
            "dev.hcdiff.oracle.viridian.ViridianHypercalls",
            "dev.hcdiff.oracle.viridian.ViridianMsrs",
            "dev.hcdiff.oracle.viridian.ViridianSynic",
            "dev.hcdiff.oracle.viridian.ViridianTime");
}
