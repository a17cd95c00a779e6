package dev.hcdiff.oracle.viridian;

import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import org.junit.jupiter.api.Test;

import java.math.BigInteger;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code xen/arch/x86/hvm/viridian/time.c} (RELEASE-4.17.7): {@code time_ref_count()},
 * {@code update_reference_tsc()}, {@code viridian_time_wrmsr()}, {@code start_stimer()},
 * {@code poll_stimer()}, and {@code viridian_synic_deliver_timer_msg()} (synic.c). The guest TSC
 * runs at 2 GHz from 0 at creation.
 */
class ViridianTimeTest {

    static final int TIME_REF_COUNT = 0x40000020, REFERENCE_TSC = 0x40000021, SIMP = 0x40000083, SINT0 = 0x40000090,
            STIMER0_CONFIG = 0x400000B0, STIMER0_COUNT = 0x400000B1;
    /** hv_stimer_config: enable 0, periodic 1, auto_enable 3, sintx 19:16. */
    static final long ENABLE = 1, PERIODIC = 2, AUTO_ENABLE = 8;
    static final long SIMP_GPA = 0x20000;

    final Guest g = Guest.viridian(ViridianConfig.defaults());

    /** time.c trc_val(): hv_scale_tsc(tsc, ((10000ul << 32) / tsc_khz) << 32, 0) = (tsc * scale) >> 64. */
    static long xenRefCount(long nowNs) {
        long tsc = nowNs * 2; // 2 GHz: 2 ticks per ns
        BigInteger scale = BigInteger.valueOf((10_000L << 32) / 2_000_000).shiftLeft(32);
        return BigInteger.valueOf(tsc).multiply(scale).shiftRight(64).longValueExact();
    }

    static long sintx(int n) {
        return (long) n << 16;
    }

    @Test
    void referenceCounterIsTheTscTimesXensTruncatedScale() {
        g.nowNs = 1_000_000_000L;
        // scale = 21474836 << 32 (21474836.48 truncated): 2e9 ticks give 9999999.776 -> 9999999, not 10^7.
        assertEquals(9_999_999L, g.rdmsr(0, TIME_REF_COUNT).result());
        assertEquals(xenRefCount(1_000_000_000L), g.rdmsr(0, TIME_REF_COUNT).result());
        assertEquals(Fault.GP, g.wrmsr(0, TIME_REF_COUNT, 0).fault());
    }

    @Test
    void timeMsrsRaiseGpWhenTheirFeatureIsOff() {
        Guest base = Guest.viridian(ViridianConfig.defaults().withFeatures(ViridianFeatures.BASE_FREQ));
        assertEquals(Fault.GP, base.rdmsr(0, TIME_REF_COUNT).fault());
        assertEquals(Fault.GP, base.rdmsr(0, REFERENCE_TSC).fault());
        assertEquals(Fault.GP, base.wrmsr(0, REFERENCE_TSC, 0x3001).fault());
        assertEquals(Fault.GP, base.rdmsr(0, STIMER0_CONFIG).fault());
        assertEquals(Fault.GP, base.wrmsr(0, STIMER0_COUNT + 6, 1).fault());
    }

    @Test
    void everyEnablingReferenceTscWritePublishesSequenceOne() {
        for (int i = 0; i < 2; i++) {
            Observation o = g.wrmsr(0, REFERENCE_TSC, 0x3001);
            assertEquals(1, o.writes().size());
            MemChunk page = o.writes().get(0);
            assertEquals(0x3000, page.gpa());
            // clear_page, then tsc_scale, tsc_offset = 0, tsc_sequence = 0 + 1.
            assertEquals(1, g.le(0x3000, 4));
            assertEquals(21474836L << 32, g.u64(0x3008));
            assertEquals(0, g.u64(0x3010));
        }
        assertEquals(0x3001, g.rdmsr(0, REFERENCE_TSC).result());
    }

    @Test
    void oneShotTimerArmsAXenTimerAtNowPlusTheRemainingTicks() {
        g.nowNs = 1_000_000;
        g.wrmsr(0, STIMER0_COUNT, 20_000); // absolute 2 ms in reference time; not enabled yet
        Observation o = g.wrmsr(0, STIMER0_CONFIG, ENABLE | sintx(2));
        // now = 9999 ticks; timeout = (20000 - 9999) * 100 ns; set_timer(timeout + NOW()).
        assertEquals(xenRefCount(1_000_000), 9999);
        assertEquals(List.of(new TimerArm(0, "stimer0", 1_000_000 + (20_000 - 9999) * 100L, 0)), o.timers());
        assertEquals(ENABLE | sintx(2), g.rdmsr(0, STIMER0_CONFIG).result());
    }

    @Test
    void expiredOneShotDeliversItsMessageAndClearsEnable() {
        g.enableLapic(0);
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0 + 2, 0x50);
        g.wrmsr(0, STIMER0_COUNT, 20_000);
        long deadline = g.wrmsr(0, STIMER0_CONFIG, ENABLE | sintx(2)).timers().get(0).deadlineNs();
        g.nowNs = deadline + 5;
        Observation o = g.rdmsr(0, 0x40000002); // any request of vCPU 0 lets the timer's message in
        assertEquals(List.of(new Interrupt(0, 0x50, "sint2")), o.interrupts());
        long slot = SIMP_GPA + 2 * 256;
        assertEquals(0x80000010L, g.le(slot, 4)); // HVMSG_TIMER_EXPIRED
        assertEquals(24, g.le(slot + 4, 1)); // payload_size
        assertEquals(0, g.le(slot + 5, 1)); // message_flags: no MessagePending
        assertEquals(0, g.le(slot + 16, 4)); // TimerIndex 0
        assertEquals(20_000, g.u64(slot + 24)); // ExpirationTime
        assertEquals(xenRefCount(deadline + 5), g.u64(slot + 32)); // DeliveryTime = time_ref_count()
        assertEquals(sintx(2), g.rdmsr(0, STIMER0_CONFIG).result()); // one-shot: config.enable = 0
    }

    @Test
    void timerMessageWritesOnlyTypeSizePendingBitAndPayload() {
        // synic.c viridian_synic_deliver_timer_msg() (4.17.7) assigns message_type, the
        // msg_pending bit-field and payload_size, then memcpy()s the payload: Reserved and the
        // sender id (bytes 6-15 of hv_message_header) stay as the guest left them. (The model
        // writes the flags byte whole: a replay cannot read bytes the recording did not capture.)
        g.enableLapic(0);
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0 + 2, 0x50);
        long slot = SIMP_GPA + 2 * 256;
        g.put(slot, 0xABCDL << 48, 0x1122334455667788L); // type 0, Reserved, sender
        g.wrmsr(0, STIMER0_COUNT, 20_000);
        long deadline = g.wrmsr(0, STIMER0_CONFIG, ENABLE | sintx(2)).timers().get(0).deadlineNs();
        g.nowNs = deadline + 5;
        Observation o = g.rdmsr(0, 0x40000002);
        assertEquals(List.of(new Interrupt(0, 0x50, "sint2")), o.interrupts());
        assertEquals(0x80000010L, g.le(slot, 4));
        assertEquals(24, g.le(slot + 4, 1));
        assertEquals(0, g.le(slot + 5, 1)); // msg_pending clear
        assertEquals(0xABCD, g.le(slot + 6, 2));
        assertEquals(0x1122334455667788L, g.u64(slot + 8));
        assertEquals(20_000, g.u64(slot + 24));
    }

    @Test
    void oneShotInThePastExpiresAtOnceAndABusySlotWaits() {
        g.enableLapic(0);
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0 + 1, 0x60);
        g.put(SIMP_GPA + 256, 1); // slot 1 busy: message_type 1
        g.nowNs = 5_000_000;
        g.wrmsr(0, STIMER0_COUNT, 100);
        Observation o = g.wrmsr(0, STIMER0_CONFIG, ENABLE | sintx(1));
        // start_stimer(): expiration - now <= 0 -> stimer_expire(); the slot is busy, nothing delivered.
        assertTrue(o.timers().isEmpty());
        assertTrue(o.interrupts().isEmpty());
        // A pending one-shot reads back with enable clear.
        assertEquals(sintx(1), g.rdmsr(0, STIMER0_CONFIG).result());
        g.put(SIMP_GPA + 256, 0); // the guest empties the slot
        assertEquals(List.of(new Interrupt(0, 0x60, "sint1")), g.rdmsr(0, 0x40000002).interrupts());
    }

    @Test
    void maskedSintOrDisabledLapicGetsTheMessageButNoInterrupt() {
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0 + 3, 0x70); // unmasked, but the vLAPIC is software-disabled
        g.nowNs = 5_000_000;
        g.wrmsr(0, STIMER0_COUNT, 1);
        Observation o = g.wrmsr(0, STIMER0_CONFIG, ENABLE | sintx(3));
        assertTrue(o.interrupts().isEmpty());
        assertEquals(0x80000010L, g.le(SIMP_GPA + 3 * 256, 4));
    }

    @Test
    void zeroCountOrZeroSintxClearsEnable() {
        g.wrmsr(0, STIMER0_CONFIG, ENABLE | sintx(2)); // count 0: "if ( !vs->config.sintx || !vs->count )"
        assertEquals(sintx(2), g.rdmsr(0, STIMER0_CONFIG).result());
        g.wrmsr(0, STIMER0_COUNT, 50);
        g.wrmsr(0, STIMER0_CONFIG, ENABLE); // sintx 0
        assertEquals(0, g.rdmsr(0, STIMER0_CONFIG).result());
    }

    @Test
    void autoEnableCountWriteStartsAPeriodicTimerAndAConfigWriteStopsIt() {
        g.nowNs = 1_000_000;
        g.wrmsr(0, STIMER0_CONFIG, PERIODIC | AUTO_ENABLE | sintx(1));
        Observation start = g.wrmsr(0, STIMER0_COUNT, 10_000); // 1 ms period
        // Periodic, not started: expiration = now + count.
        assertEquals(List.of(new TimerArm(0, "stimer0", 1_000_000 + 10_000 * 100L, 10_000 * 100L)), start.timers());
        Observation stop = g.wrmsr(0, STIMER0_CONFIG, 0);
        assertEquals(List.of(new TimerArm(0, "stimer0", -1, 0)), stop.timers());
    }

    @Test
    void periodicTimerRearmsFromItsLastExpiryAndSkipsAheadAfterManyMissedPeriods() {
        g.enableLapic(0);
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0 + 1, 0x41);
        g.nowNs = 1_000_000; // reference time 9999
        g.wrmsr(0, STIMER0_CONFIG, PERIODIC | AUTO_ENABLE | sintx(1));
        assertEquals(2_000_000, g.wrmsr(0, STIMER0_COUNT, 10_000).timers().get(0).deadlineNs()); // expiration 19999
        g.nowNs = 2_000_000; // reference time 19999: the Xen timer fires
        Observation tick = g.rdmsr(0, 0x40000002);
        assertEquals(List.of(new Interrupt(0, 0x41, "sint1")), tick.interrupts());
        assertEquals(19_999, g.u64(SIMP_GPA + 256 + 24));
        // poll_stimer() -> start_stimer() while started: expiration = 19999 + 10000, timeout 10000 ticks.
        assertEquals(List.of(new TimerArm(0, "stimer0", 3_000_000, 1_000_000)), tick.timers());
        g.put(SIMP_GPA + 256, 0); // the guest consumes the message
        g.nowNs = 10_000_000; // reference time 99999: expiration 39999 is 7 periods late (> 3)
        Observation late = g.rdmsr(0, 0x40000002);
        assertEquals(xenRefCount(10_000_000), 99_999);
        // "if ( missed > 3 ) expiration = now + vs->count": 109999, i.e. 10000 ticks from now.
        assertEquals(List.of(new TimerArm(0, "stimer0", 11_000_000, 1_000_000)), late.timers());
    }

    /** The first guest time (ns) at which {@link #xenRefCount} reaches {@code ticks}. */
    static long nsAtRefCount(long ticks) {
        long lo = 0, hi = ticks * 200;
        while (lo < hi) {
            long mid = (lo + hi) >>> 1;
            if (xenRefCount(mid) < ticks) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }

    @Test
    void missedPeriodsAreCountedInAnUnsignedIntAsXenDoes() {
        // time.c start_stimer(): "unsigned int missed = 0; ... missed = ((now - expiration) / vs->count) + 1;"
        // truncates the u64 quotient to 32 bits; 2^32 missed ticks read as 0, so neither "missed > 3"
        // nor "else if ( missed )" applies and the timer is set at expiration = vs->expiration + count,
        // which is in the past (timeout = (expiration - now) * 100ULL, negative).
        g.enableLapic(0);
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0 + 1, 0x41);
        g.nowNs = 1_000_000; // reference time 9999
        g.wrmsr(0, STIMER0_CONFIG, PERIODIC | AUTO_ENABLE | sintx(1));
        g.wrmsr(0, STIMER0_COUNT, 1); // expiration 10000, a 1-tick period
        long late = (1L << 32) + 10_000; // re-arm: expiration 10001, missed = late - 10001 + 1 = 2^32
        g.nowNs = nsAtRefCount(late);
        assertEquals(late, xenRefCount(g.nowNs));
        Observation tick = g.rdmsr(0, 0x40000002);
        assertEquals(List.of(new Interrupt(0, 0x41, "sint1")), tick.interrupts());
        assertEquals(List.of(new TimerArm(0, "stimer0", g.nowNs + (10_001 - late) * 100, 100)), tick.timers());
    }

    @Test
    void rewritingARunningTimersCountStopsAndSetsItsXenTimer() {
        g.nowNs = 1_000_000;
        g.wrmsr(0, STIMER0_CONFIG, PERIODIC | AUTO_ENABLE | sintx(1));
        g.wrmsr(0, STIMER0_COUNT, 10_000);
        // stop_stimer() (stop_timer) then start_stimer() (set_timer).
        assertEquals(List.of(new TimerArm(0, "stimer0", -1, 0),
                        new TimerArm(0, "stimer0", 1_000_000 + 20_000 * 100L, 20_000 * 100L)),
                g.wrmsr(0, STIMER0_COUNT, 20_000).timers());
        // COUNT = 0 disables: the Xen timer stays stopped.
        assertEquals(List.of(new TimerArm(0, "stimer0", -1, 0)), g.wrmsr(0, STIMER0_COUNT, 0).timers());
    }

    @Test
    void countWriteAutoEnablesATimerWithSintZeroAndDeliversOnSintZero() {
        g.enableLapic(0);
        g.wrmsr(0, SIMP, SIMP_GPA | 1);
        g.wrmsr(0, SINT0, 0x40);
        g.nowNs = 1_000_000;
        // CONFIG: enable | auto_enable, sintx 0 -> "if ( !vs->config.sintx || !vs->count )" clears enable.
        g.wrmsr(0, STIMER0_CONFIG, ENABLE | AUTO_ENABLE);
        assertEquals(AUTO_ENABLE, g.rdmsr(0, STIMER0_CONFIG).result());
        // COUNT: "else if ( vs->config.auto_enable ) vs->config.enable = 1" with no SINTx check; count 1 is past.
        Observation o = g.wrmsr(0, STIMER0_COUNT, 1);
        assertEquals(List.of(new Interrupt(0, 0x40, "sint0")), o.interrupts());
        assertEquals(0x80000010L, g.le(SIMP_GPA, 4));
    }
}
