package dev.hcdiff.recorder;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tests/hv-timer on the real /dev/kvm under the Hyper-V model: the guest arms STIMER0 on SINT 3
 * (vector 0x41) and waits in {@code sti; hlt}. The recorder must jump virtual time to the timer's
 * deadline, serve a timer tick there, inject the SINT's vector with KVM_INTERRUPT and record the
 * Delivery; a replay of the exchanges on a fresh backend must agree with the recording.
 */
class HvTimerGuestTest {

    /** recorder/guests/tests/hv-timer.c: TIMER_VECTOR on SINT 3. */
    private static final int TIMER_VECTOR = 0x41;
    /** HV_X64_MSR_STIMER0_COUNT (TLFS App. C). */
    private static final int STIMER0_COUNT = 0x400000B1;
    /** TLFS "Reference Counter": 100 ns units. */
    private static final long NS_PER_TICK = 100;

    private static LiveKvm.Run run;

    private static Backend backend() {
        return Backends.create(Backends.HYPERV, LiveConfig.of(Backends.HYPERV));
    }

    @BeforeAll
    static void recordHvTimer() {
        LiveKvm.assumeKvm();
        run = LiveKvm.record("tests/hv-timer", 0, backend());
    }

    private static List<Delivery> deliveries() {
        return run.records().stream().filter(r -> r instanceof Delivery).map(r -> (Delivery) r).toList();
    }

    @Test
    void theGuestWakesInItsHandlerAndEndsClean() {
        run.assertWellFormed();
        List<String> console = run.console();
        assertFalse(console.stream().anyMatch(l -> l.startsWith("MISMATCH")), console.toString());
        assertTrue(console.contains("hv-timer: all checks passed"), console.toString());
        assertEquals(GuestStop.StopReason.HALTED, run.stop().reason());
        assertTrue(CleanEnd.isClean(run.stop(), console.getLast()), run.stop() + " " + console);
    }

    @Test
    void theTimerInterruptIsDeliveredOnceWithTheSintVector() {
        List<Delivery> d = deliveries();
        assertEquals(1, d.size(), d.toString());
        assertEquals(TIMER_VECTOR, d.getFirst().vector());
        assertEquals("sint3", d.getFirst().source());
        assertEquals(0, d.getFirst().vcpu());
    }

    @Test
    void virtualTimeJumpsToTheDeadlineAndATickThereRaisesTheSint() {
        long count = run.records().stream()
                .filter(r -> r instanceof Exchange e && e.request() instanceof MsrWrite w && w.index() == STIMER0_COUNT)
                .mapToLong(r -> ((MsrWrite) ((Exchange) r).request()).value()).findFirst().orElseThrow();
        List<TraceRecord> recs = run.records();
        int at = recs.indexOf(deliveries().getFirst());
        // The record before the Delivery is the tick: an empty GuestWrite whose observation raised the SINT.
        Exchange tick = assertInstanceOf(Exchange.class, recs.get(at - 1));
        GuestWrite w = assertInstanceOf(GuestWrite.class, tick.request());
        assertEquals(0, w.chunk().length());
        assertEquals(List.of(new Interrupt(0, TIMER_VECTOR, "sint3")), tick.observation().interrupts());
        // "The timer never fires early" (TLFS "Synthetic Timers"): the tick is at or after COUNT.
        assertTrue(tick.timeNs() >= count * NS_PER_TICK, tick.timeNs() + " ns for COUNT " + count);
        assertTrue(recs.get(at).timeNs() >= tick.timeNs());
    }

    @Test
    void aReplayOfTheExchangesOnAFreshBackendAgreesWithTheRecording() throws GuestFault {
        LiveKvm.assertFreshBackendAgrees(backend(), run.records(), 5);
    }
}
