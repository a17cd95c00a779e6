package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.hyperv.HvTime;
import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.hyperv.HypercallPage;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;

import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Known gaps between the Hyper-V model ({@code hyperv}, the reference) and a Hyper-V guest served
 * as Xen's viridian serves it ({@code hyperv-on-xen}): what viridian (Xen 4.17.7,
 * {@code xen/arch/x86/hvm/viridian/}) does differently from the TLFS (hyperv-abi.md §8b). Each
 * matcher names the request and accepts only the fields the gap can change, so a second difference
 * on the same request stays {@code new}.
 */
final class HyperVOnXenGaps {

    private HyperVOnXenGaps() {
    }

    /** HV_STATUS (TLFS App. B). */
    private static final int INVALID_HYPERCALL_CODE = 0x2, INVALID_HYPERCALL_INPUT = 0x3, INVALID_ALIGNMENT = 0x4,
            INVALID_PARAMETER = 0x5, ACCESS_DENIED = 0x6;
    /** Flush call codes 0x2, 0x3, 0x13, 0x14 (TLFS App. A). */
    private static final Set<Integer> FLUSHES = Set.of(0x0002, 0x0003, 0x0013, 0x0014);
    /** The synthetic MSR window (TLFS App. C; Xen msr.c routes it to viridian). */
    private static final int MSR_FIRST = 0x40000000, MSR_LAST = 0x400001FF;
    /** HV_X64_MSR_* indices (TLFS App. C; xen/arch/x86/include/asm/guest/hyperv-tlfs.h). */
    private static final int HYPERCALL = 0x40000001, VP_INDEX = 0x40000002, TIME_REF_COUNT = 0x40000020,
            REFERENCE_TSC = 0x40000021, APIC_FREQUENCY = 0x40000023, EOI = 0x40000070, VP_ASSIST_PAGE = 0x40000073,
            SCONTROL = 0x40000080, SIEFP = 0x40000082, SIMP = 0x40000083, EOM = 0x40000084, SINT0 = 0x40000090, SINT15 = 0x4000009F,
            STIMER0_CONFIG = 0x400000B0, STIMER3_COUNT = 0x400000B7, CRASH_P0 = 0x40000100, CRASH_CTL = 0x40000105;
    /** Xen's APIC bus: 1000000000 / APIC_BUS_CYCLE_NS (10 ns, xen/arch/x86/include/asm/hvm/vlapic.h). */
    private static final long APIC_BUS_HZ = 100_000_000L;
    /** A page: 4 KiB. */
    private static final int PAGE_SIZE = 4096;
    /** Bits 63:12 of the page MSRs, bit 0 enable. */
    private static final long PFN_MASK = ~0xfffL;
    /** Hyper-V's CPUID leaves and where Xen's move under viridian (xen/arch/x86/cpuid.c). */
    private static final int HV_LEAF_FIRST = 0x40000000, XEN_LEAF_FIRST = 0x40000100, XEN_LEAF_LAST = 0x400001FF;
    /**
     * cpuid_viridian_leaves(): leaf 2 build 0x1772 version 6.0; leaf 3 AccessIntrCtrlRegs,
     * AccessHypercallMsrs, AccessVpIndex (bits 4-6) always; leaf 4 CPUID4A_RELAX_TIMER_INT and
     * viridian_spinlock_retry_count 2047; leaf 6 CPUID6A_APIC_OVERLAY, _MSR_BITMAPS, _NESTED_PAGING.
     */
    private static final long VIRIDIAN_BUILD = 0x1772, VIRIDIAN_VERSION = 0x60000, XEN_ALWAYS_PRIVILEGES = 0x70,
            RELAX_TIMER_INT = 1 << 5, SPIN_RETRIES = 2047, HW_FEATURES_IN_USE = 0b1011;
    /** "XenVMMXenVMM" in EBX of Xen's first leaf (xen/include/public/arch-x86/cpuid.h). */
    private static final long XEN_SIGNATURE_EBX = 0x566e6558L;
    /** The LAPIC page (Intel SDM Vol. 3A 10.4.1; Xen APIC_DEFAULT_PHYS_BASE). */
    private static final long LAPIC_BASE = 0xFEE00000L, LAPIC_SIZE = 0x1000;
    /** TSC page: sequence at 0..3, scale at 8..15 (TLFS "Partition Reference TSC Mechanism"). */
    private static final int TSC_SEQUENCE_END = 4, TSC_SCALE = 8, TSC_SCALE_END = 16;
    /**
     * Xen's reference counter runs from the guest TSC times a scale with 32 significant bits
     * ({@code trc_val()}); for any TSC up to 10 GHz its relative shortfall is below 2^-20, plus one
     * tick for each of the two floors.
     */
    private static final int CLOCK_SHIFT = 20;
    private static final long CLOCK_TICKS = 2;
    /**
     * A SIM slot is 256 bytes, its payload at +16; a timer payload is TimerIndex u32, Reserved u32,
     * ExpirationTime u64 at +8, DeliveryTime u64 at +16 (TLFS hv_message, hv_timer_message_payload).
     */
    private static final int MESSAGE_SIZE = 256, MESSAGE_PAYLOAD = 16, TIMER_PAYLOAD = 24, PAYLOAD_EXPIRATION = 8;
    /** Header bytes viridian writes: message_type (0-3), payload_size (4), message_flags (5) (synic.c). */
    private static final int MESSAGE_HEADER_WRITTEN = 6;
    /** message_flags at slot + 5, bit 0 MessagePending (TLFS hv_message_flags). */
    private static final int MESSAGE_FLAGS = 5, MESSAGE_PENDING = 1;

    static List<KnownDivergence> entries() {
        return List.of(
                new KnownDivergence("viridian-unimplemented-hypercall",
                        "viridian implements only NotifyLongSpinWait, the flushes and the cluster IPIs; every other "
                                + "call (PostMessage, SignalEvent, the debug, VP-register and extended calls) is "
                                + "HV_STATUS_INVALID_HYPERCALL_CODE with no effect (viridian_hypercall)",
                        HyperVOnXenGaps::unimplementedHypercall),
                new KnownDivergence("viridian-no-input-checks",
                        "viridian switches on the call code alone: no TLFS input-value rule (reserved bits, rep "
                                + "count and start, variable header), no GPA alignment and no partition privilege is "
                                + "checked, so a call the TLFS rejects is served",
                        HyperVOnXenGaps::noInputChecks),
                new KnownDivergence("viridian-flush-lenient",
                        "hvcall_flush sets rep_complete = rep_count even for the simple FlushVirtualAddressSpace and "
                                + "flushes nobody for an empty processor mask, where the TLFS reports 0 reps and "
                                + "INVALID_PARAMETER",
                        HyperVOnXenGaps::flushLenient),
                new KnownDivergence("viridian-reference-counter-tsc-scale",
                        "Xen derives the reference counter from the guest TSC times ((10000 << 32) / tsc_khz) << 32, "
                                + "a scale with 32 significant bits (trc_val), so it runs slightly slow of 100 ns "
                                + "since creation",
                        HyperVOnXenGaps::referenceCounterTscScale),
                new KnownDivergence("viridian-stimer-on-xen-timer",
                        "viridian runs each synthetic timer on a Xen timer set from its TSC-derived reference time "
                                + "(start_stimer), so deadlines and the timer message's expiration and delivery times "
                                + "differ by that clock's slack, a one-shot already due expires at once with no "
                                + "Xen timer armed, a busy SIM slot gets no MessagePending (the message is retried "
                                + "at each poll instead), and the message is written as viridian_synic_deliver_timer_msg "
                                + "writes it: type, size, flags and payload, not the TLFS hv_message header's Reserved "
                                + "and SenderId (bytes 6-15), which Hyper-V writes as zeros with the whole message",
                        HyperVOnXenGaps::stimerOnXenTimer),
                new KnownDivergence("viridian-stimer-sint0-auto-enable",
                        "only viridian's CONFIG write clears Enable for SINTx 0; a COUNT write auto-enables such a "
                                + "timer anyway and its message goes to SINT0 (viridian_time_wrmsr), where the TLFS "
                                + "never runs a timer with SINTx 0",
                        HyperVOnXenGaps::stimerSint0AutoEnable),
                new KnownDivergence("viridian-tsc-page",
                        "each enabling REFERENCE_TSC write clears the page and publishes sequence 1 "
                                + "(update_reference_tsc), with Xen's 32-significant-bit scale",
                        HyperVOnXenGaps::tscPage),
                new KnownDivergence("viridian-hypercall-page-marker",
                        "Xen's hypercall page starts with orl $0x80000000,%eax so hvm_hypercall tells viridian calls "
                                + "from Xen calls, and is written on every enabling write whatever the OS id "
                                + "(enable_hypercall_page)",
                        HyperVOnXenGaps::hypercallPageMarker),
                new KnownDivergence("viridian-msr-unimplemented",
                        "viridian lacks synthetic MSRs the TLFS defines (VP_RUNTIME, RESET, GUEST_IDLE, "
                                + "reenlightenment, debug): #GP, unimplemented MSR (guest_rdmsr/wrmsr_viridian)",
                        HyperVOnXenGaps::msrUnimplemented),
                new KnownDivergence("viridian-msr-lenient",
                        "viridian enforces no partition privilege on the APIC-access, VP assist and crash MSRs and "
                                + "ignores VP_INDEX writes, where the TLFS raises #GP",
                        HyperVOnXenGaps::msrLenient),
                new KnownDivergence("viridian-msr-value-unchecked",
                        "viridian stores what the TLFS refuses with #GP: the hypercall MSR's Locked and RsvdP bits, "
                                + "page MSRs naming no RAM (only logged as Bad GMFN, SIEFP never mapped) and an STIMER "
                                + "DirectMode it does not implement",
                        HyperVOnXenGaps::msrValueUnchecked),
                new KnownDivergence("viridian-apic-bus-100mhz",
                        "HV_X64_MSR_APIC_FREQUENCY is implementation-defined: Xen's vLAPIC bus runs at "
                                + "1000000000 / APIC_BUS_CYCLE_NS = 100 MHz",
                        HyperVOnXenGaps::apicBus100MHz),
                new KnownDivergence("viridian-page-cleared-on-every-enable",
                        "viridian unmaps and maps the SIM and VP assist pages on every write, clearing the page each "
                                + "time it is enabled (viridian_map_guest_page), where the TLFS clears it only when "
                                + "newly enabled or moved",
                        HyperVOnXenGaps::pageClearedOnEveryEnable),
                new KnownDivergence("viridian-crash-msrs-per-vcpu",
                        "viridian keeps CRASH_P0-P4 per vCPU (vv->crash_param), where the model (as KVM) keeps "
                                + "them partition-wide, so a vCPU reads its own parameters only",
                        HyperVOnXenGaps::crashMsrsPerVcpu),
                new KnownDivergence("viridian-sief-unmapped",
                        "Xen stores SIEFP but never maps or clears the SIEF page: viridian delivers no event flags",
                        HyperVOnXenGaps::siefUnmapped),
                new KnownDivergence("viridian-cpuid-identity",
                        "viridian reports Windows Server 2008's identity (6.0, build 0x1772) only once the OS id is "
                                + "set, its own privilege and feature bits from HVM_PARAM_VIRIDIAN, recommendations "
                                + "only for Windows NT ids, and Xen's leaves at 0x40000100 (cpuid_viridian_leaves)",
                        HyperVOnXenGaps::cpuidIdentity),
                new KnownDivergence("viridian-vlapic-gates-interrupts",
                        "Xen raises IPIs and SINTs only on an enabled vLAPIC (send_ipi; "
                                + "viridian_synic_deliver_timer_msg: !vs->masked && vlapic_enabled()), and a guest "
                                + "that never sets SVR.APIC_ENABLED gets none; the Hyper-V model has no LAPIC and "
                                + "asserts every unmasked SINT",
                        HyperVOnXenGaps::vlapicGatesInterrupts),
                new KnownDivergence("viridian-xen-vlapic-mmio",
                        "under Xen the LAPIC page is Xen's emulated vLAPIC (vlapic_mmio_read); the Hyper-V model's "
                                + "MMIO hole is an empty bus",
                        HyperVOnXenGaps::xenVlapicMmio));
    }

    /** An HV64 call the translation answered INVALID_HYPERCALL_CODE with no effect, where the reference did not. */
    static boolean unimplementedHypercall(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return hv64(request) && status(tr) == INVALID_HYPERCALL_CODE && status(ref) != INVALID_HYPERCALL_CODE
                && repsOf(tr) == 0 && tr.writes().isEmpty() && tr.interrupts().isEmpty()
                && only(fields, Field.RESULT, Field.WRITES, Field.INTERRUPTS, Field.EVENTS, Field.TIMERS);
    }

    /**
     * An HV64 call the reference refused for its input value, alignment or privilege, which the
     * translation served (any status but INVALID_HYPERCALL_CODE, which is the gap above).
     */
    static boolean noInputChecks(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        int s = status(ref);
        return hv64(request) && (s == INVALID_HYPERCALL_INPUT || s == INVALID_ALIGNMENT || s == ACCESS_DENIED)
                && status(tr) != s && status(tr) != INVALID_HYPERCALL_CODE
                && ref.interrupts().isEmpty() && ref.writes().isEmpty()
                && only(fields, Field.RESULT, Field.INTERRUPTS);
    }

    /**
     * A flush whose only difference is the result: the translation succeeded with reps completed =
     * the input's rep count, the reference succeeded with other reps or refused with INVALID_PARAMETER.
     */
    static boolean flushLenient(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!hv64(request) || !FLUSHES.contains((int) (((Hypercall) request).call() & 0xffff))
                || !fields.equals(EnumSet.of(Field.RESULT))) {
            return false;
        }
        long repCount = (((Hypercall) request).call() >>> 32) & 0xfff;
        return status(tr) == 0 && repsOf(tr) == repCount && (status(ref) == 0 || status(ref) == INVALID_PARAMETER);
    }

    /** TIME_REF_COUNT reads a little lower: only the value differs. */
    static boolean referenceCounterTscScale(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return request instanceof MsrRead r && r.index() == TIME_REF_COUNT && fields.equals(EnumSet.of(Field.RESULT))
                && ref.returns().length == 1 && tr.returns().length == 1 && slowBy(ref.result(), tr.result());
    }

    /**
     * Timers and timer messages only: every written chunk at the same place, differing at most in a
     * timer message payload's ExpirationTime and DeliveryTime by the clock's slack; the
     * translation's timers matched in order by the reference's with deadlines within the slack,
     * any reference timer left over a one-shot (an arm of a timer viridian expired at once).
     */
    static boolean stimerOnXenTimer(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!only(fields, Field.WRITES, Field.TIMERS) || !sameBytesButTimerTimes(ref.writes(), tr.writes())) {
            return false;
        }
        List<TimerArm> whole = ref.timers();
        int j = 0;
        for (TimerArm y : tr.timers()) {
            while (j < whole.size() && !sameTimerWithinSlack(whole.get(j), y)) {
                if (!unarmedOneShot(whole.get(j), tr)) {
                    return false;
                }
                j++;
            }
            if (j == whole.size()) {
                return false;
            }
            j++;
        }
        for (; j < whole.size(); j++) {
            if (!unarmedOneShot(whole.get(j), tr)) {
                return false;
            }
        }
        return true;
    }

    /**
     * The bytes each side left in guest memory (last write wins) are the same, except that the
     * reference may also have zeroed a message header's reserved and origination-id bytes
     * (slot + 6 to + 15, which Xen does not write) or set MessagePending in a busy slot's flags
     * (Xen never does), and that a timer payload's ExpirationTime and
     * DeliveryTime (slot + 24, + 32) may differ within the clock's slack.
     */
    private static boolean sameBytesButTimerTimes(List<MemChunk> refWrites, List<MemChunk> trWrites) {
        java.util.TreeMap<Long, Byte> a = flatten(refWrites);
        java.util.TreeMap<Long, Byte> b = flatten(trWrites);
        for (var e : a.entrySet()) {
            long at = e.getKey() % MESSAGE_SIZE;
            if (!b.containsKey(e.getKey())) {
                boolean headerZeros = at >= MESSAGE_HEADER_WRITTEN && at < MESSAGE_PAYLOAD && e.getValue() == 0;
                boolean messagePending = at == MESSAGE_FLAGS && (e.getValue() & MESSAGE_PENDING) != 0;
                if (!headerZeros && !messagePending) {
                    return false;
                }
            }
        }
        java.util.Set<Long> timesChecked = new java.util.HashSet<>();
        for (var e : b.entrySet()) {
            Byte x = a.get(e.getKey());
            if (x == null) {
                return false;
            }
            if (x.equals(e.getValue())) {
                continue;
            }
            long at = e.getKey() % MESSAGE_SIZE;
            if (at < MESSAGE_PAYLOAD + PAYLOAD_EXPIRATION || at >= MESSAGE_PAYLOAD + TIMER_PAYLOAD) {
                return false;
            }
            long field = e.getKey() - (at - MESSAGE_PAYLOAD) % 8;
            if (timesChecked.add(field) && !withinSlack(u64(a, field), u64(b, field))) {
                return false;
            }
        }
        return true;
    }

    private static java.util.TreeMap<Long, Byte> flatten(List<MemChunk> writes) {
        java.util.TreeMap<Long, Byte> m = new java.util.TreeMap<>();
        for (MemChunk c : writes) {
            for (int i = 0; i < c.length(); i++) {
                m.put(c.gpa() + i, c.byteAt(i));
            }
        }
        return m;
    }

    /** The little-endian u64 at {@code at} in a flattened write map (absent bytes read 0). */
    private static long u64(java.util.Map<Long, Byte> m, long at) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = v << 8 | (m.getOrDefault(at + i, (byte) 0) & 0xff);
        }
        return v;
    }

    private static boolean sameTimerWithinSlack(TimerArm x, TimerArm y) {
        if (x.vcpu() != y.vcpu() || !x.timer().equals(y.timer()) || x.periodNs() != y.periodNs()
                || (x.deadlineNs() < 0) != (y.deadlineNs() < 0)) {
            return false;
        }
        return withinSlack(x.deadlineNs() / HvTime.NS_PER_TICK, y.deadlineNs() / HvTime.NS_PER_TICK);
    }

    /** A one-shot arm the translation has no entry for at all (viridian expired it without a Xen timer). */
    private static boolean unarmedOneShot(TimerArm x, Observation tr) {
        return x.periodNs() == 0 && x.deadlineNs() >= 0
                && tr.timers().stream().noneMatch(t -> t.vcpu() == x.vcpu() && t.timer().equals(x.timer()));
    }

    private static boolean withinSlack(long a, long b) {
        long hi = Math.max(a, b);
        return Math.abs(a - b) <= (hi >>> CLOCK_SHIFT) + CLOCK_TICKS;
    }

    /**
     * An STIMERn COUNT write after which the reference did nothing while the translation ran timer
     * n: armed it or delivered its message into SIM slot 0 raising SINT0.
     */
    static boolean stimerSint0AutoEnable(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!(request instanceof MsrWrite w) || w.index() < STIMER0_CONFIG || w.index() > STIMER3_COUNT
                || (w.index() & 1) == 0 || !only(fields, Field.WRITES, Field.INTERRUPTS, Field.TIMERS)
                || !ref.writes().isEmpty() || !ref.interrupts().isEmpty() || !ref.timers().isEmpty()) {
            return false;
        }
        String timer = "stimer" + (w.index() - STIMER0_CONFIG) / 2;
        return tr.timers().stream().allMatch(t -> t.timer().equals(timer))
                && tr.interrupts().stream().allMatch(i -> i.source().equals("sint0"))
                && tr.writes().stream().allMatch(c -> c.gpa() % PAGE_SIZE + c.length() <= MESSAGE_SIZE);
    }

    /** An enabling REFERENCE_TSC write: one page each, at the same GPA, differing only in sequence and scale. */
    static boolean tscPage(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!(request instanceof MsrWrite w) || w.index() != REFERENCE_TSC || !fields.equals(EnumSet.of(Field.WRITES))
                || ref.writes().size() != 1 || tr.writes().size() != 1) {
            return false;
        }
        MemChunk a = ref.writes().get(0);
        MemChunk b = tr.writes().get(0);
        if (a.gpa() != (w.value() & PFN_MASK) || b.gpa() != a.gpa() || a.length() != b.length()) {
            return false;
        }
        for (int i = 0; i < a.length(); i++) {
            boolean header = i < TSC_SEQUENCE_END || i >= TSC_SCALE && i < TSC_SCALE_END;
            if (!header && a.byteAt(i) != b.byteAt(i)) {
                return false;
            }
        }
        return true;
    }

    /** A HYPERCALL write where the translation wrote exactly Xen's viridian page at the GPA. */
    static boolean hypercallPageMarker(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!(request instanceof MsrWrite w) || w.index() != HYPERCALL || !fields.equals(EnumSet.of(Field.WRITES))
                || tr.writes().size() != 1) {
            return false;
        }
        MemChunk b = tr.writes().get(0);
        if (b.gpa() != (w.value() & PFN_MASK)) {
            return false;
        }
        for (CpuVendor v : CpuVendor.values()) {
            if (Arrays.equals(b.data(), HypercallPage.contents(HvPersonality.XEN_VIRIDIAN, v))) {
                return true;
            }
        }
        return false;
    }

    /**
     * An MSR of the window that viridian does not implement: #GP under viridian, served by the
     * reference; the translation wrote nothing.
     */
    static boolean msrUnimplemented(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return inMsrWindow(request) && !viridianImplements(msrIndex(request)) && tr.fault() == Fault.GP && ref.fault() == Fault.NONE && tr.writes().isEmpty()
                && tr.interrupts().isEmpty() && tr.timers().isEmpty()
                && only(fields, Field.FAULT, Field.RESULT, Field.WRITES, Field.TIMERS, Field.INTERRUPTS);
    }

    /**
     * An APIC-access, VP-assist or crash MSR, or a VP_INDEX write: #GP in the reference, served
     * under viridian.
     */
    static boolean msrLenient(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        int index = msrIndex(request);
        boolean unprivileged = index >= EOI && index <= VP_ASSIST_PAGE || index >= CRASH_P0 && index <= CRASH_CTL
                || index == VP_INDEX && request instanceof MsrWrite;
        return unprivileged && ref.fault() == Fault.GP && tr.fault() == Fault.NONE
                && only(fields, Field.FAULT, Field.RESULT, Field.WRITES);
    }

    /**
     * A write to the hypercall, SIEFP, SIMP, VP assist, reference TSC or an STIMER CONFIG MSR that
     * the reference refused with #GP and viridian took.
     */
    static boolean msrValueUnchecked(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!(request instanceof MsrWrite w) || ref.fault() != Fault.GP || tr.fault() != Fault.NONE) {
            return false;
        }
        int i = w.index();
        boolean stimerConfig = i >= STIMER0_CONFIG && i <= STIMER3_COUNT && (i & 1) == 0;
        boolean page = i == HYPERCALL || i == SIEFP || i == SIMP || i == VP_ASSIST_PAGE || i == REFERENCE_TSC;
        return (stimerConfig || page) && only(fields, Field.FAULT, Field.WRITES, Field.TIMERS, Field.INTERRUPTS);
    }

    /** APIC_FREQUENCY read: only the value differs, and viridian's is 100 MHz. */
    static boolean apicBus100MHz(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return request instanceof MsrRead r && r.index() == APIC_FREQUENCY && fields.equals(EnumSet.of(Field.RESULT))
                && tr.returns().length == 1 && tr.result() == APIC_BUS_HZ;
    }

    /** An enabling SIMP or VP assist write where only the translation wrote: a zero page at the MSR's GPA. */
    static boolean pageClearedOnEveryEnable(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!(request instanceof MsrWrite w) || w.index() != SIMP && w.index() != VP_ASSIST_PAGE
                || (w.value() & 1) == 0 || !fields.equals(EnumSet.of(Field.WRITES)) || !ref.writes().isEmpty()
                || tr.writes().size() != 1) {
            return false;
        }
        MemChunk b = tr.writes().get(0);
        return b.gpa() == (w.value() & PFN_MASK) && Arrays.equals(b.data(), new byte[PAGE_SIZE]);
    }

    /** A CRASH_P0-P4 read: only the value differs. */
    static boolean crashMsrsPerVcpu(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return request instanceof MsrRead r && r.index() >= CRASH_P0 && r.index() < CRASH_CTL
                && fields.equals(EnumSet.of(Field.RESULT));
    }

    /** A SIEFP write where only the reference wrote (cleared the page). */
    static boolean siefUnmapped(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return request instanceof MsrWrite w && w.index() == SIEFP && fields.equals(EnumSet.of(Field.WRITES))
                && tr.writes().isEmpty();
    }

    /**
     * CPUID leaves 0x40000002–0x400001FF, registers only, where the translation's answer is one
     * {@code cpuid_viridian_leaves()} can give: leaf 2 empty or Windows Server 2008's identity;
     * leaf 3 with the three privileges Xen always grants and EBX 0; leaf 4 empty or with
     * RELAX_TIMER_INT and the 2047 spin retries; leaf 5 0 or -1; leaf 6 only the in-use bits Xen
     * reports; leaves 7–0xFF empty; from 0x40000100 Xen's own leaves, its signature first.
     */
    static boolean cpuidIdentity(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!(request instanceof CpuidQuery q) || !fields.equals(EnumSet.of(Field.RESULT)) || tr.returns().length != 4
                || Integer.compareUnsigned(q.leaf(), HV_LEAF_FIRST + 2) < 0
                || Integer.compareUnsigned(q.leaf(), XEN_LEAF_LAST) > 0) {
            return false;
        }
        long[] r = tr.returns();
        boolean empty = r[0] == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0;
        return switch (q.leaf() - HV_LEAF_FIRST) {
            case 2 -> empty || r[0] == VIRIDIAN_BUILD && r[1] == VIRIDIAN_VERSION && r[2] == 0 && r[3] == 0;
            case 3 -> (r[0] & XEN_ALWAYS_PRIVILEGES) == XEN_ALWAYS_PRIVILEGES && r[1] == 0 && r[2] == 0;
            case 4 -> empty || (r[0] & RELAX_TIMER_INT) != 0 && r[1] == SPIN_RETRIES;
            case 5 -> (r[0] == 0 || r[0] == 0xffffffffL) && r[1] == 0 && r[2] == 0 && r[3] == 0;
            case 6 -> (r[0] & ~HW_FEATURES_IN_USE) == 0 && r[1] == 0 && r[2] == 0 && r[3] == 0;
            case 0x100 -> r[1] == XEN_SIGNATURE_EBX;
            default -> q.leaf() >= XEN_LEAF_FIRST || empty;
        };
    }

    /** Interrupts only: the translation raised an ordered subset of the reference's. */
    static boolean vlapicGatesInterrupts(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        if (!fields.equals(EnumSet.of(Field.INTERRUPTS))) {
            return false;
        }
        List<Interrupt> whole = ref.interrupts();
        int j = 0;
        for (Interrupt i : tr.interrupts()) {
            while (j < whole.size() && !whole.get(j).equals(i)) {
                j++;
            }
            if (j == whole.size()) {
                return false;
            }
            j++;
        }
        return true;
    }

    /** An MMIO read in the LAPIC page; only the value differs. */
    static boolean xenVlapicMmio(GuestRequest request, Set<Field> fields, Observation ref, Observation tr) {
        return request instanceof MmioRead m && m.gpa() >= LAPIC_BASE && m.gpa() < LAPIC_BASE + LAPIC_SIZE
                && fields.equals(EnumSet.of(Field.RESULT));
    }

    private static boolean slowBy(long reference, long translated) {
        long behind = reference - translated;
        return behind >= 0 && behind <= (reference >>> CLOCK_SHIFT) + CLOCK_TICKS;
    }

    private static boolean hv64(GuestRequest request) {
        return request instanceof Hypercall h && h.abi() == Abi.HV64;
    }

    private static boolean inMsrWindow(GuestRequest request) {
        int index = msrIndex(request);
        return Integer.compareUnsigned(index, MSR_FIRST) >= 0 && Integer.compareUnsigned(index, MSR_LAST) <= 0;
    }

    private static int msrIndex(GuestRequest request) {
        return switch (request) {
            case MsrRead r -> r.index();
            case MsrWrite w -> w.index();
            default -> 0;
        };
    }

    /**
     * The indices {@code guest_rdmsr_viridian()}/{@code guest_wrmsr_viridian()} have a case for
     * (some of which still fault for a feature that is off or a read-only register).
     */
    private static boolean viridianImplements(int index) {
        return index >= MSR_FIRST && index <= VP_INDEX || index >= TIME_REF_COUNT && index <= APIC_FREQUENCY
                || index >= EOI && index <= VP_ASSIST_PAGE || index >= SCONTROL && index <= EOM
                || index >= SINT0 && index <= SINT15 || index >= STIMER0_CONFIG && index <= STIMER3_COUNT
                || index >= CRASH_P0 && index <= CRASH_CTL;
    }

    private static int status(Observation o) {
        return o.returns().length == 0 ? -1 : (int) (o.result() & 0xffff);
    }

    private static long repsOf(Observation o) {
        return (o.result() >>> 32) & 0xfff;
    }

    private static boolean only(Set<Field> fields, Field... allowed) {
        return !fields.isEmpty() && EnumSet.of(allowed[0], allowed).containsAll(fields);
    }
}
