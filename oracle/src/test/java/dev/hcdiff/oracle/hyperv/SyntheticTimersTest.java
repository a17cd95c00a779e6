package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Synthetic timers STIMER0–3 (TLFS "Timers", "Synthetic Timers"; HV_TIMER_MESSAGE_PAYLOAD;
 * HV_MESSAGE), per personality: Linux {@code arch/x86/kvm/hyperv.c} stimer_* (kvm) and Xen
 * {@code viridian/time.c} + {@code synic.c viridian_synic_deliver_timer_msg()} (xen-viridian).
 * Every expected number is from those sources: MSR indices 0x400000B0 + 2n / B1 + 2n, CONFIG bits
 * 0 Enable, 1 Periodic, 3 AutoEnable, 12 Direct, 19:16 SINTx; COUNT in 100 ns units; message type
 * 0x80000010 with a 24-byte payload {TimerIndex u32, Rsvd u32, Expiration u64, Delivery u64}.
 */
class SyntheticTimersTest {

    static final int STIMER0_CONFIG = 0x400000B0, STIMER0_COUNT = 0x400000B1, STIMER1_CONFIG = 0x400000B2,
            STIMER1_COUNT = 0x400000B3;
    static final int SCONTROL = 0x40000080, SIMP = 0x40000083, EOM = 0x40000084, SINT0 = 0x40000090;
    static final long ENABLE = 1, PERIODIC = 2, AUTO_ENABLE = 8, DIRECT = 1L << 12;
    static final long SIM_GPA = 0x4000;
    static final int VECTOR = 0x51;
    static final int TIMER_EXPIRED = 0x80000010;
    static final long MS = 1_000_000;

    final FlatRam mem = new FlatRam(0x10000);
    final List<Interrupt> irqs = new ArrayList<>();
    final List<TimerArm> arms = new ArrayList<>();

    static long sintx(int n) {
        return (long) n << 16;
    }

    HvPartition ready(HvPersonality who) {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPersonality(who).withVcpus(2));
        wr(hv, 0, SCONTROL, 1, 0);
        wr(hv, 0, SIMP, SIM_GPA | 1, 0);
        wr(hv, 0, SINT0 + 3, VECTOR, 0);
        return hv;
    }

    void wr(HvPartition hv, int vp, int msr, long value, long nowNs) {
        assertEquals(false, hv.wrmsr(vp, msr, value, mem, nowNs, arms::add).faulted(), "wrmsr 0x" + Integer.toHexString(msr));
    }

    long slotLong(int sint, int off) {
        long v = 0;
        for (int i = 7; i >= 0; i--) {
            v = (v << 8) | mem.byteAt(SIM_GPA + sint * 256L + off + i);
        }
        return v;
    }

    int slotInt(int sint, int off) {
        return (int) slotLong(sint, off);
    }

    @Test
    void oneShotFiresAtItsAbsoluteCountWithTheTimerMessageAndSint() {
        HvPartition hv = ready(HvPersonality.TLFS);
        // One-shot: COUNT is the absolute reference time, 100 ns units: 50_000 ticks = 5 ms.
        wr(hv, 0, STIMER0_COUNT, 50_000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 1 * MS);
        assertEquals(List.of(new TimerArm(0, "stimer0", 5 * MS, 0)), arms);

        hv.expireTimers(5 * MS - 1, mem, irqs::add);
        assertEquals(List.of(), irqs, "never before the expiration time");

        hv.expireTimers(5 * MS + 300, mem, irqs::add);
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint3")), irqs);
        // HV_MESSAGE in slot 3: type, PayloadSize 24, flags 0, origination 0 (timers have none).
        assertEquals(TIMER_EXPIRED, slotInt(3, 0));
        assertEquals(24, mem.byteAt(SIM_GPA + 3 * 256 + 4));
        assertEquals(0, mem.byteAt(SIM_GPA + 3 * 256 + 5));
        assertEquals(0, slotLong(3, 8));
        // HV_TIMER_MESSAGE_PAYLOAD: index 0, expiration 50_000, delivery = reference time then (50_003).
        assertEquals(0, slotInt(3, 16));
        assertEquals(50_000, slotLong(3, 24));
        assertEquals(50_003, slotLong(3, 32));
        // "When a one-shot timer expires, it is automatically marked as disabled."
        assertEquals(sintx(3), hv.rdmsr(0, STIMER0_CONFIG, 6 * MS).value());
    }

    @Test
    void oneShotInThePastExpiresAtTheNextExpiry() {
        HvPartition hv = ready(HvPersonality.TLFS);
        wr(hv, 0, STIMER0_COUNT, 10, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 2 * MS);
        hv.expireTimers(2 * MS, mem, irqs::add);
        // "If a one-shot is enabled and the specified count is in the past, it will expire immediately."
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint3")), irqs);
    }

    @Test
    void periodicTimerStartsCountingWhenEnabledAndReArms() {
        HvPartition hv = ready(HvPersonality.TLFS);
        wr(hv, 0, STIMER1_COUNT, 10_000, 0); // period 1 ms
        wr(hv, 0, STIMER1_CONFIG, ENABLE | PERIODIC | sintx(3), 3 * MS);
        // "The first period begins when the synthetic timer is enabled": deadline 4 ms, period 1 ms.
        assertEquals(List.of(new TimerArm(0, "stimer1", 4 * MS, 1 * MS)), arms);
        arms.clear();
        hv.expireTimers(4 * MS, mem, irqs::add, arms::add);
        assertEquals(1, irqs.size());
        assertEquals(List.of(new TimerArm(0, "stimer1", 5 * MS, 1 * MS)), arms);
        assertEquals(1, slotInt(3, 16), "TimerIndex 1");
        assertEquals(ENABLE | PERIODIC | sintx(3), hv.rdmsr(0, STIMER1_CONFIG, 0).value(), "periodic stays enabled");
    }

    @Test
    void writingCountZeroStopsTheTimerAndReportsTheCancel() {
        HvPartition hv = ready(HvPersonality.TLFS);
        wr(hv, 0, STIMER0_COUNT, 50_000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        arms.clear();
        wr(hv, 0, STIMER0_COUNT, 0, 0);
        assertEquals(List.of(new TimerArm(0, "stimer0", -1, 0)), arms);
        assertEquals(0, hv.rdmsr(0, STIMER0_CONFIG, 0).value() & ENABLE);
        hv.expireTimers(10 * MS, mem, irqs::add);
        assertEquals(List.of(), irqs);
    }

    @Test
    void autoEnableArmsOnANonZeroCountWrite() {
        HvPartition hv = ready(HvPersonality.TLFS);
        wr(hv, 0, STIMER0_CONFIG, AUTO_ENABLE | sintx(3), 0);
        assertEquals(List.of(), arms);
        wr(hv, 0, STIMER0_COUNT, 20_000, 0);
        assertEquals(List.of(new TimerArm(0, "stimer0", 2 * MS, 0)), arms);
        assertEquals(AUTO_ENABLE | ENABLE | sintx(3), hv.rdmsr(0, STIMER0_CONFIG, 0).value());
    }

    @Test
    void sintZeroClearsEnableUnderTlfsButKvmKeepsItWhenTheOldConfigWasDisabled() {
        // TLFS: "not permitted to set the SINTx field to zero for an enabled timer ... marked disabled".
        HvPartition tlfs = ready(HvPersonality.TLFS);
        wr(tlfs, 0, STIMER0_COUNT, 1000, 0);
        wr(tlfs, 0, STIMER0_CONFIG, ENABLE, 0);
        assertEquals(0, tlfs.rdmsr(0, STIMER0_CONFIG, 0).value());
        // KVM stimer_set_config(): clears Enable only if old_config.enable; here it was clear.
        HvPartition kvm = ready(HvPersonality.KVM);
        wr(kvm, 0, STIMER0_COUNT, 1000, 0);
        wr(kvm, 0, STIMER0_CONFIG, ENABLE, 0);
        assertEquals(ENABLE, kvm.rdmsr(0, STIMER0_CONFIG, 0).value());
    }

    @Test
    void enablingWithCountZeroDiffersPerPersonality() {
        // KVM stimer_set_config(): Enable kept (old config disabled, SINTx ≠ 0) though nothing runs;
        // Xen viridian_time_wrmsr(): "if ( !vs->config.sintx || !vs->count ) vs->config.enable = 0".
        HvPartition kvm = ready(HvPersonality.KVM);
        wr(kvm, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        assertEquals(ENABLE | sintx(3), kvm.rdmsr(0, STIMER0_CONFIG, 0).value());
        HvPartition xen = ready(HvPersonality.XEN_VIRIDIAN);
        wr(xen, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        assertEquals(sintx(3), xen.rdmsr(0, STIMER0_CONFIG, 0).value());
        assertEquals(List.of(), arms, "neither arms a timer");
    }

    @Test
    void maskedSintLosesTheInterruptButKvmKeepsTheExpiryPending() {
        for (HvPersonality who : HvPersonality.values()) {
            HvPartition hv = ready(who);
            wr(hv, 0, SINT0 + 3, VECTOR | (1L << 16), 0); // Masked
            wr(hv, 0, STIMER0_COUNT, 1000, 0);
            wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
            hv.expireTimers(MS, mem, irqs::add);
            assertEquals(List.of(), irqs, who.textName());
            assertEquals(TIMER_EXPIRED, slotInt(3, 0), who.textName() + ": the message is written");
            // KVM: synic_set_irq() fails on a masked SINT, so stimer_expiration() leaves Enable set.
            long enable = hv.rdmsr(0, STIMER0_CONFIG, MS).value() & ENABLE;
            assertEquals(who == HvPersonality.KVM ? ENABLE : 0, enable, who.textName());
            mem.putLong(SIM_GPA + 3 * 256, 0);
        }
    }

    @Test
    void busySlotGetsMessagePendingAndTheMessageFollowsTheEom() {
        HvPartition hv = ready(HvPersonality.TLFS);
        mem.putLong(SIM_GPA + 3 * 256, 1); // slot 3 holds a message of type 1
        wr(hv, 0, STIMER0_COUNT, 1000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        hv.expireTimers(MS, mem, irqs::add);
        assertEquals(List.of(), irqs);
        assertEquals(1, mem.byteAt(SIM_GPA + 3 * 256 + 5), "MessagePending (HV_MESSAGE_FLAGS bit 0)");
        // The guest empties the slot and writes EOM; the queued message is delivered next.
        mem.putLong(SIM_GPA + 3 * 256, 0);
        wr(hv, 0, EOM, 0, MS);
        hv.expireTimers(2 * MS, mem, irqs::add);
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint3")), irqs);
        assertEquals(TIMER_EXPIRED, slotInt(3, 0));
        assertEquals(20_000, slotLong(3, 32), "delivery time is when the message reached the slot");
    }

    @Test
    void aRetriedPeriodicMessageReportsTheExpirationThatFiredNotTheNextOne() {
        // Found by TimerProperties: the period re-arms while the message waits for the EOM.
        HvPartition hv = ready(HvPersonality.TLFS);
        wr(hv, 0, STIMER0_COUNT, 10_000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | PERIODIC | sintx(3), 0);
        mem.putLong(SIM_GPA + 3 * 256, 1);           // slot busy when the 1 ms tick fires
        hv.expireTimers(MS, mem, irqs::add);
        mem.putLong(SIM_GPA + 3 * 256, 0);
        wr(hv, 0, EOM, 0, MS);
        hv.expireTimers(MS + 500, mem, irqs::add);
        assertEquals(10_000, slotLong(3, 24), "ExpirationTime of the tick that fired");
        assertEquals(10_005, slotLong(3, 32), "DeliveryTime");
    }

    @Test
    void xenCountsMissedPeriodsInAnUnsignedIntSoTwoToThe32MissedReadAsNone() {
        // Xen time.c start_stimer(): "unsigned int missed ... missed = ((now - expiration) / vs->count) + 1;"
        // 2^32 truncates to 0: neither "missed > 3" nor "else if ( missed )" applies, so the timer is
        // set at vs->expiration + count, already past, and set_timer() fires it at once.
        HvPartition hv = ready(HvPersonality.XEN_VIRIDIAN);
        wr(hv, 0, STIMER0_COUNT, 1, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | PERIODIC | sintx(3), 0); // expiration 0 + 1
        long target = (1L << 32) + 1; // re-arm: expiration 2, missed = target - 2 + 1 = 2^32
        long lo = 0, hi = target * 200;
        while (lo < hi) { // the first ns at which TIME_REF_COUNT reads target
            long mid = (lo + hi) >>> 1;
            if (hv.rdmsr(0, 0x40000020, mid).value() < target) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        assertEquals(target, hv.rdmsr(0, 0x40000020, lo).value());
        arms.clear();
        hv.expireTimers(lo, mem, irqs::add, arms::add);
        assertEquals(1, irqs.size());
        // Not now + count (the "missed > 3" branch a 64-bit count would take): due immediately.
        assertEquals(List.of(new TimerArm(0, "stimer0", lo, 100)), arms);
    }

    @Test
    void xenFiresOnItsOwnTimerEvenWhenItsSlowCounterIsOneTickShort() {
        // Xen: set_timer(NOW() + (expiration - now) × 100) → 1 ms; trc_val() then reads 9999 (2 GHz TSC).
        HvPartition hv = ready(HvPersonality.XEN_VIRIDIAN);
        wr(hv, 0, STIMER0_COUNT, 10_000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        assertEquals(List.of(new TimerArm(0, "stimer0", MS, 0)), arms);
        hv.expireTimers(MS, mem, irqs::add);
        assertEquals(1, irqs.size());
        assertEquals(10_000, slotLong(3, 24), "ExpirationTime");
        assertEquals(9_999, slotLong(3, 32), "DeliveryTime: time_ref_count() at delivery");
    }

    @Test
    void kvmReArmsWhenItsHrtimerBeatsTheTscPageCounter() {
        HvPartition hv = ready(HvPersonality.KVM);
        wr(hv, 0, 0x40000021, 0x6000 | 1, 0); // REFERENCE_TSC: the counter now follows the page (9999 at 1 ms)
        wr(hv, 0, STIMER0_COUNT, 10_000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        arms.clear();
        hv.expireTimers(MS, mem, irqs::add, arms::add);
        // kvm_hv_process_stimers(): time_now 9999 < exp_time 10000 → stimer_start() for one more tick.
        assertEquals(List.of(), irqs);
        assertEquals(List.of(new TimerArm(0, "stimer0", MS + 100, 0)), arms);
        hv.expireTimers(MS + 100, mem, irqs::add);
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint3")), irqs);
    }

    @Test
    void xenRetriesABusySlotAtEveryPollWithoutMessagePending() {
        HvPartition hv = ready(HvPersonality.XEN_VIRIDIAN);
        mem.putLong(SIM_GPA + 3 * 256, 1);
        wr(hv, 0, STIMER0_COUNT, 1000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        hv.expireTimers(MS, mem, irqs::add);
        // viridian_synic_deliver_timer_msg(): "no need to set message_pending as we do not require an EOM".
        assertEquals(0, mem.byteAt(SIM_GPA + 3 * 256 + 5));
        // viridian_time_rdmsr(): a pending one-shot reads back with Enable clear.
        assertEquals(sintx(3), hv.rdmsr(0, STIMER0_CONFIG, MS).value());
        mem.putLong(SIM_GPA + 3 * 256, 0);
        hv.expireTimers(2 * MS, mem, irqs::add);
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint3")), irqs);
    }

    @Test
    void kvmDropsAPeriodicTickThatFindsTheSlotBusy() {
        HvPartition hv = ready(HvPersonality.KVM);
        mem.putLong(SIM_GPA + 3 * 256, 1);
        wr(hv, 0, STIMER0_COUNT, 10_000, 0);
        wr(hv, 0, STIMER0_CONFIG, ENABLE | PERIODIC | sintx(3), 0);
        arms.clear();
        hv.expireTimers(MS, mem, irqs::add, arms::add);
        // stimer_send_msg(): no_retry for periodic timers, so no MessagePending and the next period runs.
        assertEquals(0, mem.byteAt(SIM_GPA + 3 * 256 + 5));
        assertEquals(List.of(new TimerArm(0, "stimer0", 2 * MS, MS)), arms);
    }

    @Test
    void directModeIsAGeneralProtectionFaultWithoutTheCpuidFeature() {
        HvPartition hv = ready(HvPersonality.TLFS);
        // CPUID 0x40000003 EDX bit 19 (direct synthetic timers) is not offered.
        assertEquals(Fault.GP, hv.wrmsr(0, STIMER0_CONFIG, DIRECT | ENABLE, mem, 0, arms::add).fault());
        HvPartition xen = ready(HvPersonality.XEN_VIRIDIAN);
        assertEquals(Fault.NONE, xen.wrmsr(0, STIMER0_CONFIG, DIRECT | sintx(3), mem, 0, arms::add).fault());
    }

    @Test
    void timerRegistersNeedTheSyntheticTimerPrivilege() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPrivileges(HvPrivilege.DEFAULT_GUEST & ~HvPrivilege.ACCESS_SYNTHETIC_TIMER_REGS));
        assertTrue(hv.rdmsr(0, STIMER0_COUNT, 0).faulted());
        assertTrue(hv.wrmsr(0, STIMER0_COUNT, 5, mem, 0, arms::add).faulted());
        // KVM: a guest write also needs the SynIC (AccessSynicRegs here).
        HvPartition kvm = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.KVM)
                .withPrivileges(HvPrivilege.DEFAULT_GUEST & ~HvPrivilege.ACCESS_SYNIC_REGS));
        assertTrue(kvm.wrmsr(0, STIMER0_COUNT, 5, mem, 0, arms::add).faulted());
        assertEquals(false, kvm.rdmsr(0, STIMER0_COUNT, 0).faulted());
    }

    @Test
    void timersArePerVpAndTheNextDeadlineIsTheEarliest() {
        HvPartition hv = ready(HvPersonality.TLFS);
        wr(hv, 1, STIMER0_COUNT, 70_000, 0);
        wr(hv, 1, STIMER0_CONFIG, ENABLE | sintx(3), 0);
        wr(hv, 0, STIMER1_COUNT, 30_000, 0);
        wr(hv, 0, STIMER1_CONFIG, ENABLE | sintx(3), 0);
        assertEquals(3 * MS, hv.nextTimerDeadlineNs().orElseThrow());
        assertEquals(0, hv.rdmsr(0, STIMER0_COUNT, 0).value(), "VP 0's STIMER0 is untouched");
    }

    @Test
    void backendFiresDueTimersAtTheStartOfEachRequest() {
        HyperVBackend b = new HyperVBackend(HvConfig.defaults());
        for (long[] w : new long[][] {{SCONTROL, 1}, {SIMP, SIM_GPA | 1}, {SINT0 + 3, VECTOR}, {STIMER0_COUNT, 20_000}}) {
            Serving.serve(b, new MsrWrite(0, (int) w[0], w[1], CpuMode.LONG64), mem, 0);
        }
        Observation arm = Serving.serve(b, new MsrWrite(0, STIMER0_CONFIG, ENABLE | sintx(3), CpuMode.LONG64), mem, 0).observation();
        assertEquals(List.of(new TimerArm(0, "stimer0", 2 * MS, 0)), arm.timers());
        Observation later = Serving.serve(b, new MsrRead(0, 0x40000020), mem, 2 * MS).observation();
        assertEquals(List.of(new Interrupt(0, VECTOR, "sint3")), later.interrupts());
        assertEquals(40, later.writes().stream().mapToInt(c -> c.data().length).sum(), "16-byte header + 24-byte payload");
    }
}
