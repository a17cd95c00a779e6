package dev.hcdiff.oracle.hyperv;

/**
 * Hyper-V synthetic MSR indices the model implements, from the TLFS v6.0b Appendix C
 * "Hypervisor Synthetic MSRs" and the TLFS markdown pages named per constant (hyperv-abi.md §5).
 */
public final class HvMsr {

    private HvMsr() {
    }

    /** First index of the synthetic MSR window; an unknown index in it raises #GP (TLFS App. C; hyperv-abi.md §5). */
    public static final int WINDOW_FIRST = 0x40000000;
    /** Last index of the synthetic MSR window (0x400001FF, TLFS App. C; Xen routes 0x40000000–0x400001FF to viridian). */
    public static final int WINDOW_LAST = 0x400001FF;

    /** HV_X64_MSR_GUEST_OS_ID, partition-wide (TLFS "Reporting the Guest OS Identity"). */
    public static final int GUEST_OS_ID = 0x40000000;
    /** HV_X64_MSR_HYPERCALL, partition-wide (TLFS "Establishing the Hypercall Interface"). */
    public static final int HYPERCALL = 0x40000001;
    /** HV_X64_MSR_VP_INDEX, read-only, per VP (TLFS "Virtual Processors"). */
    public static final int VP_INDEX = 0x40000002;
    /** HV_X64_MSR_TIME_REF_COUNT, read-only, 100 ns ticks since partition creation (TLFS "Timers", Reference Counter). */
    public static final int TIME_REF_COUNT = 0x40000020;
    /**
     * HV_X64_MSR_REFERENCE_TSC: 63:12 GPFN, 11:1 RsvdP, 0 Enable, partition-wide (TLFS "Timers",
     * "Partition Reference TSC Mechanism"; App. C lists it read-only, but it is written to enable the page).
     */
    public static final int REFERENCE_TSC = 0x40000021;
    /** HV_X64_MSR_TSC_FREQUENCY, read-only, the TSC frequency in Hz (TLFS App. C; privilege AccessFrequencyRegs). */
    public static final int TSC_FREQUENCY = 0x40000022;
    /** HV_X64_MSR_APIC_FREQUENCY, read-only, the APIC timer frequency in Hz (TLFS App. C; privilege AccessFrequencyRegs). */
    public static final int APIC_FREQUENCY = 0x40000023;
    /** HV_X64_MSR_SCONTROL, SynIC control, bit 0 Enable (TLFS "Inter-Partition Communication"). */
    public static final int SCONTROL = 0x40000080;
    /** HV_X64_MSR_SVERSION, read-only, reads 1 (TLFS "Inter-Partition Communication"). */
    public static final int SVERSION = 0x40000081;
    /** HV_X64_MSR_SIEFP: 63:12 GPFN, 11:1 RsvdP, 0 Enable (TLFS "Inter-Partition Communication"). */
    public static final int SIEFP = 0x40000082;
    /** HV_X64_MSR_SIMP: 63:12 GPFN, 11:1 RsvdP, 0 Enable (TLFS "Inter-Partition Communication"). */
    public static final int SIMP = 0x40000083;
    /** HV_X64_MSR_EOM, write-only end-of-message; reads 0 (TLFS "Inter-Partition Communication"). */
    public static final int EOM = 0x40000084;
    /** HV_X64_MSR_SINT0; SINTn = SINT0 + n, n = 0..15 (TLFS "Inter-Partition Communication"). */
    public static final int SINT0 = 0x40000090;
    /** HV_X64_MSR_SINT15. */
    public static final int SINT15 = 0x4000009F;
    /**
     * HV_X64_MSR_STIMER0_CONFIG; STIMERn_CONFIG = 0x400000B0 + 2n, n = 0..3 (TLFS "Timers",
     * "Synthetic Timer Registers").
     */
    public static final int STIMER0_CONFIG = 0x400000B0;
    /** HV_X64_MSR_STIMER0_COUNT; STIMERn_COUNT = 0x400000B1 + 2n (TLFS "Timers"). */
    public static final int STIMER0_COUNT = 0x400000B1;
    /** HV_X64_MSR_STIMER3_COUNT, the last synthetic timer register (TLFS "Timers"). */
    public static final int STIMER3_COUNT = 0x400000B7;
    /** HV_X64_MSR_CRASH_P0; CRASH_Pn = CRASH_P0 + n, n = 0..4, free crash parameters (TLFS App. C, "Partitions"). */
    public static final int CRASH_P0 = 0x40000100;
    /** HV_X64_MSR_CRASH_P4. */
    public static final int CRASH_P4 = 0x40000104;
    /** HV_X64_MSR_CRASH_CTL: 63 CrashNotify, 62 CrashMessage (TLFS datatype hv_crash_ctl_reg_contents). */
    public static final int CRASH_CTL = 0x40000105;

    /** True for STIMER0_CONFIG … STIMER3_COUNT. */
    public static boolean isStimer(int index) {
        return index >= STIMER0_CONFIG && index <= STIMER3_COUNT;
    }

    /** True when {@code index} lies in the synthetic window 0x40000000–0x400001FF. */
    public static boolean inWindow(int index) {
        return Integer.compareUnsigned(index, WINDOW_FIRST) >= 0 && Integer.compareUnsigned(index, WINDOW_LAST) <= 0;
    }
}
