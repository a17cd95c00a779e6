package dev.hcdiff.oracle.viridian;

/**
 * The synthetic MSR indices viridian handles, as Xen names them in
 * {@code xen/arch/x86/include/asm/guest/hyperv-tlfs.h} (Xen 4.17.7; the same values as TLFS
 * App. C). Xen routes 0x40000000–0x400001FF to viridian for a viridian domain and
 * 0x40000200–0x400002FF to its own MSRs ({@code xen/arch/x86/msr.c guest_rdmsr()/guest_wrmsr()}).
 */
final class ViridianMsr {

    private ViridianMsr() {
    }

    /** First index routed to viridian ({@code msr.c}: {@code case 0x40000000 ... 0x400001ff}). */
    static final int WINDOW_FIRST = 0x40000000;
    /** Last index routed to viridian. */
    static final int WINDOW_LAST = 0x400001FF;

    /** HV_X64_MSR_GUEST_OS_ID. */
    static final int GUEST_OS_ID = 0x40000000;
    /** HV_X64_MSR_HYPERCALL. */
    static final int HYPERCALL = 0x40000001;
    /** HV_X64_MSR_VP_INDEX. */
    static final int VP_INDEX = 0x40000002;
    /** HV_X64_MSR_TIME_REF_COUNT. */
    static final int TIME_REF_COUNT = 0x40000020;
    /** HV_X64_MSR_REFERENCE_TSC. */
    static final int REFERENCE_TSC = 0x40000021;
    /** HV_X64_MSR_TSC_FREQUENCY. */
    static final int TSC_FREQUENCY = 0x40000022;
    /** HV_X64_MSR_APIC_FREQUENCY. */
    static final int APIC_FREQUENCY = 0x40000023;
    /** HV_X64_MSR_EOI. */
    static final int EOI = 0x40000070;
    /** HV_X64_MSR_ICR. */
    static final int ICR = 0x40000071;
    /** HV_X64_MSR_TPR. */
    static final int TPR = 0x40000072;
    /** HV_X64_MSR_VP_ASSIST_PAGE. */
    static final int VP_ASSIST_PAGE = 0x40000073;
    /** HV_X64_MSR_SCONTROL. */
    static final int SCONTROL = 0x40000080;
    /** HV_X64_MSR_SVERSION. */
    static final int SVERSION = 0x40000081;
    /** HV_X64_MSR_SIEFP. */
    static final int SIEFP = 0x40000082;
    /** HV_X64_MSR_SIMP. */
    static final int SIMP = 0x40000083;
    /** HV_X64_MSR_EOM. */
    static final int EOM = 0x40000084;
    /** HV_X64_MSR_SINT0; SINTn = SINT0 + n. */
    static final int SINT0 = 0x40000090;
    /** HV_X64_MSR_SINT15. */
    static final int SINT15 = 0x4000009F;
    /** HV_X64_MSR_STIMER0_CONFIG; STIMERn_CONFIG = 0x400000B0 + 2n, STIMERn_COUNT = 0x400000B1 + 2n. */
    static final int STIMER0_CONFIG = 0x400000B0;
    /** HV_X64_MSR_STIMER3_COUNT. */
    static final int STIMER3_COUNT = 0x400000B7;
    /** HV_X64_MSR_CRASH_P0; CRASH_Pn = CRASH_P0 + n. */
    static final int CRASH_P0 = 0x40000100;
    /** HV_X64_MSR_CRASH_P4. */
    static final int CRASH_P4 = 0x40000104;
    /** HV_X64_MSR_CRASH_CTL. */
    static final int CRASH_CTL = 0x40000105;

    static boolean inWindow(int index) {
        return Integer.compareUnsigned(index, WINDOW_FIRST) >= 0 && Integer.compareUnsigned(index, WINDOW_LAST) <= 0;
    }
}
