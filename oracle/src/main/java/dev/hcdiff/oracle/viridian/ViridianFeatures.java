package dev.hcdiff.oracle.viridian;

/**
 * The bits of {@code HVM_PARAM_VIRIDIAN}, the viridian feature mask a toolstack sets for a domain
 * ({@code xen/include/public/hvm/params.h}, Xen 4.17.7). {@code hvm_allow_set_param()} rejects a
 * value with unknown bits or without {@link #BASE_FREQ} (-EINVAL), and so does
 * {@link #check(long)}.
 */
public final class ViridianFeatures {

    private ViridianFeatures() {
    }

    /** {@code HVMPV_base_freq}: hypercall, APIC-access, VP-index and timer-frequency MSRs. */
    public static final long BASE_FREQ = 1L << 0;
    /** {@code HVMPV_no_freq}: hide the timer-frequency MSRs (the pre-4.4 "base" set). */
    public static final long NO_FREQ = 1L << 1;
    /** {@code HVMPV_time_ref_count}: HV_X64_MSR_TIME_REF_COUNT. */
    public static final long TIME_REF_COUNT = 1L << 2;
    /** {@code HVMPV_reference_tsc}: HV_X64_MSR_REFERENCE_TSC and its page. */
    public static final long REFERENCE_TSC = 1L << 3;
    /** {@code HVMPV_hcall_remote_tlb_flush}: recommend the flush hypercalls (CPUID 0x40000004). */
    public static final long HCALL_REMOTE_TLB_FLUSH = 1L << 4;
    /** {@code HVMPV_apic_assist}: the VP assist page's EOI assist. */
    public static final long APIC_ASSIST = 1L << 5;
    /** {@code HVMPV_crash_ctl}: advertise the crash MSRs (CPUID 0x40000003 EDX bit 10). */
    public static final long CRASH_CTL = 1L << 6;
    /** {@code HVMPV_synic}: the SynIC MSRs. */
    public static final long SYNIC = 1L << 7;
    /** {@code HVMPV_stimer}: the synthetic timer MSRs. */
    public static final long STIMER = 1L << 8;
    /** {@code HVMPV_hcall_ipi}: recommend HvCallSendSyntheticClusterIpi. */
    public static final long HCALL_IPI = 1L << 9;
    /** {@code HVMPV_ex_processor_masks}: recommend the ...Ex calls. */
    public static final long EX_PROCESSOR_MASKS = 1L << 10;
    /** {@code HVMPV_no_vp_limit}: CPUID 0x40000005 EAX = -1. */
    public static final long NO_VP_LIMIT = 1L << 11;
    /** {@code HVMPV_cpu_hotplug}: CPUID 0x40000003 EDX bit 3. */
    public static final long CPU_HOTPLUG = 1L << 12;
    /** {@code HVMPV_feature_mask}: every defined bit. */
    public static final long FEATURE_MASK = (1L << 13) - 1;

    /**
     * The default here: every group, as {@code viridian = [ "all" ]} gives in xl.cfg(5) (all groups
     * enabled, so {@code freq} on and {@link #NO_FREQ} clear), so that every enlightenment viridian
     * has can be exercised.
     */
    public static final long ALL = FEATURE_MASK & ~NO_FREQ;

    /**
     * {@code hvm_allow_set_param()} for HVM_PARAM_VIRIDIAN.
     *
     * @throws IllegalArgumentException for unknown bits or a missing base set
     */
    public static long check(long mask) {
        if ((mask & ~FEATURE_MASK) != 0 || (mask & BASE_FREQ) == 0) {
            throw new IllegalArgumentException(String.format(
                    "viridian feature mask 0x%x is not accepted by Xen: it needs HVMPV_base_freq (bit 0) and no bit above 12",
                    mask));
        }
        return mask;
    }
}
