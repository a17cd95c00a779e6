package dev.hcdiff.oracle.hyperv;

/**
 * Bits of HV_PARTITION_PRIVILEGE_MASK, reported in CPUID 0x40000003 EAX (bits 31:0) and EBX
 * (bits 63:32). Positions from the TLFS datatype page {@code hv_partition_privilege_mask} and Linux
 * {@code include/hyperv/hvgdk_mini.h} (hyperv-abi.md §1).
 */
public final class HvPrivilege {

    private HvPrivilege() {
    }

    /** EAX bit 1 AccessPartitionReferenceCounter: TIME_REF_COUNT. */
    public static final long ACCESS_PARTITION_REFERENCE_COUNTER = 1L << 1;
    /** EAX bit 2 AccessSynicRegs: SCONTROL, SVERSION, SIEFP, SIMP, EOM, SINT0–15. */
    public static final long ACCESS_SYNIC_REGS = 1L << 2;
    /** EAX bit 3 AccessSyntheticTimerRegs: STIMER0–3. */
    public static final long ACCESS_SYNTHETIC_TIMER_REGS = 1L << 3;
    /** EAX bit 4 AccessIntrCtrlRegs: EOI, ICR, TPR (and VP_ASSIST_PAGE). */
    public static final long ACCESS_INTR_CTRL_REGS = 1L << 4;
    /** EAX bit 5 AccessHypercallMsrs: GUEST_OS_ID and HYPERCALL; must be set for a guest (REQ). */
    public static final long ACCESS_HYPERCALL_MSRS = 1L << 5;
    /** EAX bit 6 AccessVpIndex: VP_INDEX; must be set for a guest (REQ). */
    public static final long ACCESS_VP_INDEX = 1L << 6;
    /** EAX bit 9 AccessPartitionReferenceTsc: REFERENCE_TSC. */
    public static final long ACCESS_PARTITION_REFERENCE_TSC = 1L << 9;
    /** EAX bit 11 AccessFrequencyRegs: TSC_FREQUENCY, APIC_FREQUENCY. */
    public static final long ACCESS_FREQUENCY_REGS = 1L << 11;
    /** EBX bit 0 (mask bit 32) CreatePartitions: must be clear for a guest (REQ). */
    public static final long CREATE_PARTITIONS = 1L << 32;
    /** EBX bit 4 (mask bit 36) PostMessages: HvCallPostMessage 0x005C. */
    public static final long POST_MESSAGES = 1L << 36;
    /** EBX bit 5 (mask bit 37) SignalEvents: HvCallSignalEvent 0x005D. */
    public static final long SIGNAL_EVENTS = 1L << 37;
    /** EBX bit 11 (mask bit 43) Debugging: HvCallPostDebugData 0x0069 – 0x006B. */
    public static final long DEBUGGING = 1L << 43;

    /**
     * What a normal guest partition gets by default (0x0000003000000A7E). REQ ("Requirements for
     * Implementing the Microsoft Hypervisor Interface") requires AccessHypercallMsrs and
     * AccessVpIndex and forbids CreatePartitions; the rest is what a Windows or Linux guest of
     * Hyper-V expects for its clock, SynIC, timers, APIC MSRs and VMBus signalling
     * (reference counter, reference TSC page, SynIC, synthetic timers, IntrCtrl, frequency MSRs,
     * PostMessages, SignalEvents; Linux's {@code hv_init_tsc_clocksource()} looks for the TSC page's
     * privilege). Debugging is a root decision (a debugger attached) and stays off.
     */
    public static final long DEFAULT_GUEST = ACCESS_PARTITION_REFERENCE_COUNTER | ACCESS_SYNIC_REGS
            | ACCESS_SYNTHETIC_TIMER_REGS | ACCESS_INTR_CTRL_REGS | ACCESS_HYPERCALL_MSRS | ACCESS_VP_INDEX
            | ACCESS_PARTITION_REFERENCE_TSC | ACCESS_FREQUENCY_REGS | POST_MESSAGES | SIGNAL_EVENTS;
}
