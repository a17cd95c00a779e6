package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.TimerArm;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * A TLFS partition as its guest meets it: the partition-wide GUEST_OS_ID and HYPERCALL MSRs, one
 * {@link SynIc} per VP, the root-configured ports, and the three guest interfaces (CPUID leaves,
 * synthetic MSRs, hypercalls). Single-threaded and deterministic: time comes only from the
 * {@code nowNs} passed in, guest memory only from the {@link GuestMemory} passed in.
 *
 * <p>Scope: CPUID 0x40000000–6; the synthetic MSRs GUEST_OS_ID, HYPERCALL, VP_INDEX,
 * TIME_REF_COUNT, REFERENCE_TSC, TSC/APIC_FREQUENCY, the SynIC, STIMER0–3 ({@link SyntheticTimers})
 * and the crash MSRs; the hypercalls NotifyLongSpinWait, SignalEvent, PostMessage, the three debug
 * calls, the four TLB flushes, the two cluster IPIs and GetVpIndexFromApicId. Not modelled (an
 * unknown MSR is #GP, an unknown call INVALID_HYPERCALL_CODE): the APIC MSRs EOI/ICR/TPR,
 * VP_ASSIST_PAGE, VP_RUNTIME, RESET, GUEST_IDLE, the reenlightenment MSRs, SwitchVirtualAddressSpace,
 * Get/SetVpRegisters and the extended calls.
 *
 * <p>The root partition is outside the model. What the partition hands it is kept for whoever plays
 * the root's services (the Xen adapter plays dom0's): {@link #takeRootSignals() events signalled
 * to the root's ports} and {@link #crashes() crash reports}.
 */
public final class HvPartition {

    /** HV_CRASH_CTL_CRASH_NOTIFY, CRASH_CTL bit 63 (TLFS datatype hv_crash_ctl_reg_contents). */
    public static final long CRASH_CTL_NOTIFY = 1L << 63;

    /** A HvCallSignalEvent that reached an event port of the root: the connection and the flag. */
    public record RootSignal(int connectionId, int flag) {
    }

    /** A crash the guest reported through CRASH_CTL.CrashNotify: the VP and CRASH_P0–P4 then. */
    public record Crash(int vp, List<Long> params) {
        public Crash {
            params = List.copyOf(params);
        }
    }

    private final HvConfig config;
    private final SynIc[] synics;
    private final SyntheticMsrs msrs;
    private final HvCalls calls;
    private final SyntheticTimers timers;
    private final Messages messages;
    /** Per VP: an EOM since the last {@link #expireTimers} asks for queued messages to be retried. */
    private final boolean[] eom;

    /** HV_X64_MSR_GUEST_OS_ID, partition-wide, initially 0 (TLFS "Reporting the Guest OS Identity"). */
    long guestOsId;
    /** HV_X64_MSR_HYPERCALL, partition-wide, initially 0. */
    long hypercallMsr;
    /** HV_X64_MSR_REFERENCE_TSC, partition-wide, initially 0 (TLFS "Timers"). */
    long referenceTscMsr;
    /** The TscSequence last published in the TSC page (0: never). */
    int tscSequence;
    /**
     * CRASH_P0–P4: partition-wide in KVM ({@code kvm_hv_msr_partition_wide()}) and, following it, in
     * the TLFS personality; per vCPU in Xen ({@code v->arch.hvm.viridian->crash_param}).
     */
    private final long[][] crashParams;
    private final List<Crash> crashes = new ArrayList<>();
    private final List<RootSignal> rootSignals = new ArrayList<>();

    public HvPartition(HvConfig config) {
        this.config = config;
        this.synics = new SynIc[config.vcpus()];
        // SCONTROL resets to 0 per TLFS, to 1 in KVM (kvm_hv_activate_synic()) (hyperv-abi.md §9 pitfall 10).
        long scontrolReset = config.personality() == HvPersonality.KVM ? SynIc.SCONTROL_ENABLE : 0;
        for (int vp = 0; vp < synics.length; vp++) {
            synics[vp] = new SynIc(scontrolReset);
        }
        this.msrs = new SyntheticMsrs(this);
        this.calls = new HvCalls(this);
        this.timers = new SyntheticTimers(this, config.vcpus());
        this.messages = new Messages(this);
        this.eom = new boolean[config.vcpus()];
        this.crashParams = new long[config.personality() == HvPersonality.XEN_VIRIDIAN ? config.vcpus() : 1][5];
    }

    public HvConfig config() {
        return config;
    }

    public HvPersonality personality() {
        return config.personality();
    }

    public long guestOsId() {
        return guestOsId;
    }

    public long hypercallMsr() {
        return hypercallMsr;
    }

    /** The SynIC of VP {@code vp}. @throws IllegalArgumentException for a VP the partition lacks */
    public SynIc synic(int vp) {
        return synics[checkVp(vp)];
    }

    /** CPUID leaf {@code leaf} as {eax, ebx, ecx, edx}; zeros outside 0x40000000–0x40000006. */
    public int[] cpuid(int leaf, int subleaf) {
        return HvCpuid.leaf(this, leaf, subleaf);
    }

    /** RDMSR on VP {@code vp}. */
    public MsrResult rdmsr(int vp, int index, long nowNs) {
        return msrs.read(checkVp(vp), index, nowNs);
    }

    /**
     * WRMSR on VP {@code vp} at virtual time 0; pages the write enables are written through
     * {@code memory}. A synthetic-timer write through this overload counts from time 0 and its
     * arming is not reported: use {@link #wrmsr(int, int, long, GuestMemory, long, Consumer)} for timers.
     */
    public MsrResult wrmsr(int vp, int index, long value, GuestMemory memory) {
        return wrmsr(vp, index, value, memory, 0, t -> { });
    }

    /**
     * WRMSR on VP {@code vp} at virtual time {@code nowNs}.
     *
     * @param timers receives each synthetic timer the write armed (deadline and period in ns) or
     *               cancelled (deadline -1), named {@code stimer0}…{@code stimer3}
     */
    public MsrResult wrmsr(int vp, int index, long value, GuestMemory memory, long nowNs, Consumer<TimerArm> timers) {
        return msrs.write(checkVp(vp), index, value, memory, nowNs, timers);
    }

    /**
     * Fires the synthetic timers due at {@code nowNs} and retries the messages an EOM asked to
     * retry, for every VP in order: each message is written into its SIM slot and its SINT
     * asserted. Deterministic: VPs in order, timers 0–3, then queued PostMessage messages by
     * connection id.
     *
     * @param interrupts receives each SINT asserted
     * @param timerArms  receives each periodic timer's next period
     */
    public void expireTimers(long nowNs, GuestMemory memory, Consumer<Interrupt> interrupts, Consumer<TimerArm> timerArms) {
        for (int vp = 0; vp < vcpus(); vp++) {
            expireTimers(vp, nowNs, memory, interrupts, timerArms);
        }
    }

    /** {@link #expireTimers(long, GuestMemory, Consumer, Consumer)} without the re-arm reports. */
    public void expireTimers(long nowNs, GuestMemory memory, Consumer<Interrupt> interrupts) {
        expireTimers(nowNs, memory, interrupts, t -> { });
    }

    /**
     * {@link #expireTimers(long, GuestMemory, Consumer, Consumer)} for VP {@code vp} alone, as KVM
     * ({@code kvm_hv_process_stimers()} on entry of the timer's vCPU) and Xen
     * ({@code viridian_time_poll_timers()} "in context of the vcpu receiving the message") deliver:
     * the backend calls this for the vCPU of each request.
     */
    public void expireTimers(int vp, long nowNs, GuestMemory memory, Consumer<Interrupt> interrupts,
                             Consumer<TimerArm> timerArms) {
        checkVp(vp);
        boolean retry = eom[vp];
        eom[vp] = false;
        timers.expire(vp, nowNs, retry, memory, interrupts, timerArms);
        if (retry) {
            messages.retry(vp, memory, interrupts);
        }
    }

    /** The earliest deadline of an armed synthetic timer, ns of virtual time; empty when none is armed. */
    public OptionalLong nextTimerDeadlineNs() {
        return timers.nextDeadlineNs();
    }

    /**
     * A hypercall from VP {@code vp} in the x64 convention.
     *
     * @param input      the hypercall input value (RCX)
     * @param rdx        input GPA, or input parameter 1 for a fast call
     * @param r8         output GPA, or input parameter 2 for a fast call
     * @param memory     guest memory for slow-call input and the SIEF page
     * @param interrupts receives each SINT the call raised
     * @return the hypercall result value (RAX): status | reps completed &lt;&lt; 32
     */
    public long hypercall(int vp, long input, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> interrupts) {
        return call(vp, input, rdx, r8, memory, interrupts).value();
    }

    /**
     * {@link #hypercall} with the exception a call can raise instead of completing: under kvm a
     * fast flush or fast SendSyntheticClusterIpiEx raises #UD, as XMM fast input is not offered
     * (CPUID 0x40000003 EDX bit 4; {@code kvm_hv_hypercall()} with enforce-CPUID).
     */
    public HvCallResult call(int vp, long input, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> interrupts) {
        return calls.dispatch(checkVp(vp), new HypercallInput(input), rdx, r8, memory, interrupts);
    }

    /**
     * Whether the model implements call code {@code code}; a TLFS call it does not implement yet
     * answers INVALID_HYPERCALL_CODE like an unknown one.
     */
    public static boolean models(int code) {
        return HvCalls.modelled(code);
    }

    /** The number of VPs. */
    public int vcpus() {
        return synics.length;
    }

    /** HV_X64_MSR_REFERENCE_TSC as last written. */
    public long referenceTscMsr() {
        return referenceTscMsr;
    }

    /** Crash reports so far, in order. */
    public List<Crash> crashes() {
        return List.copyOf(crashes);
    }

    /** Events signalled to the root's ports since the last call, in order; the queue is emptied. */
    public List<RootSignal> takeRootSignals() {
        List<RootSignal> out = List.copyOf(rootSignals);
        rootSignals.clear();
        return out;
    }

    /**
     * The root signals an event port of this partition (the parent's HvCallSignalEvent on a
     * connection it holds to the port it created here, TLFS "Inter-Partition Communication"): the
     * port that {@code connectionId} reaches gets flag BaseFlagNumber + {@code flag} set in its
     * VP's SIEF page, raising the SINT on a 0→1 change unless masked or polled.
     *
     * @param memory where the target VP's SIEF page lives
     * @return the HV_STATUS the root's call gets: INVALID_CONNECTION_ID / INVALID_PORT_ID /
     *         INVALID_PARAMETER for a bad target, INVALID_SYNIC_STATE when the SynIC or SIEF page is
     *         off or the SINT masked (TLFS); under KVM the root's {@code hyperv_set_event_flag()}
     *         just drops the event then
     */
    public int signalFromRoot(int connectionId, int flag, GuestMemory memory, Consumer<Interrupt> interrupts) {
        return calls.rootSignal(connectionId, flag, memory, interrupts);
    }

    /**
     * The partition reference counter at virtual time {@code nowNs}, in 100 ns ticks from creation
     * (TLFS "Reference Counter"), as each implementation computes it:
     * <ul>
     *   <li>tlfs: {@code nowNs / 100};</li>
     *   <li>kvm ({@code get_time_ref_counter()}): kvmclock / 100 until a valid TSC page exists, then
     *       the page's formula ((TSC × TscScale) &gt;&gt; 64) + TscOffset;</li>
     *   <li>xen-viridian ({@code time.c: trc_val()}): always (TSC × scale) &gt;&gt; 64 with Xen's
     *       32-significant-bit scale, so it runs a little slow.</li>
     * </ul>
     * The TSC counts from 0 at creation ({@link ReferenceTsc#tscAt}).
     */
    long referenceTicks(long nowNs) {
        long khz = config.tscKhz();
        return switch (config.personality()) {
            case TLFS -> Long.divideUnsigned(nowNs, HvTime.NS_PER_TICK);
            case KVM -> (referenceTscMsr & SynIc.PAGE_ENABLE) != 0 && tscSequence != ReferenceTsc.INVALID_SEQUENCE
                    ? ReferenceTsc.refTime(ReferenceTsc.tscAt(nowNs, khz), ReferenceTsc.scale(HvPersonality.KVM, khz), 0)
                    : Long.divideUnsigned(nowNs, HvTime.NS_PER_TICK);
            case XEN_VIRIDIAN -> ReferenceTsc.scalable(khz)
                    ? ReferenceTsc.refTime(ReferenceTsc.tscAt(nowNs, khz), ReferenceTsc.scale(HvPersonality.XEN_VIRIDIAN, khz), 0)
                    : Long.divideUnsigned(nowNs, HvTime.NS_PER_TICK);
        };
    }

    /** CRASH_P0–P4 as VP {@code vp} sees them. */
    long[] crashParams(int vp) {
        return crashParams[crashParams.length == 1 ? 0 : vp];
    }

    /** CRASH_CTL.CrashNotify from VP {@code vp}: the root learns of the crash with the parameters. */
    void crashNotify(int vp) {
        long[] prm = crashParams(vp);
        crashes.add(new Crash(vp, List.of(prm[0], prm[1], prm[2], prm[3], prm[4])));
    }

    /** A guest's SignalEvent reached a port of the root. */
    void signalRoot(int connectionId, int flag) {
        rootSignals.add(new RootSignal(connectionId, flag));
    }

    SyntheticTimers timers() {
        return timers;
    }

    Messages messages() {
        return messages;
    }

    void endOfMessage(int vp) {
        eom[vp] = true;
    }

    SynIc synicUnchecked(int vp) {
        return synics[vp];
    }

    private int checkVp(int vp) {
        if (vp < 0 || vp >= synics.length) {
            throw new IllegalArgumentException("vp " + vp + " out of range: the partition has " + synics.length + " vcpus");
        }
        return vp;
    }
}
