package dev.hcdiff.recorder;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * tests/xen-timer on the real /dev/kvm, served by the reference Xen model and by the Xen-on-Hyper-V
 * adapter: the guest registers upcall vector 0xF3 (HVMOP_set_evtchn_upcall_vector), binds
 * VIRQ_TIMER, arms the single-shot timer 10 ms ahead and waits in {@code sti; hlt}. The recorder
 * must jump virtual time to the deadline, serve a tick there whose observation raises the upcall,
 * inject the vector once and record the Delivery; the guest's handler must find the port pending
 * in shared_info, and a replay of each recording on a fresh backend must agree with it.
 */
class XenTimerGuestTest {

    /** recorder/guests/tests/xen-timer.c UPCALL_VECTOR (Linux HYPERVISOR_CALLBACK_VECTOR). */
    private static final int UPCALL_VECTOR = 0xF3;
    /** xen/include/public/xen.h __HYPERVISOR_vcpu_op. */
    private static final long VCPU_OP = 24;
    /** xen/include/public/vcpu.h VCPUOP_set_singleshot_timer. */
    private static final long VCPUOP_SET_SINGLESHOT_TIMER = 8;
    /** The Interrupt source both Xen personalities give an event-channel upcall. */
    private static final String UPCALL = "upcall";
    /** TLFS "Synthetic Timers": the adapter's STIMER0 counts 100 ns (known gap hyperv-timer-100ns). */
    private static final long HV_NS_PER_TICK = 100;

    private static LiveKvm.Run xen;
    private static LiveKvm.Run adapter;

    private static Backend backend(String name) {
        return Backends.create(name, LiveConfig.of(name));
    }

    @BeforeAll
    static void recordUnderBothXenPersonalities() {
        LiveKvm.assumeKvm();
        xen = LiveKvm.record("tests/xen-timer", 0, backend(Backends.XEN));
        adapter = LiveKvm.record("tests/xen-timer", 0, backend(Backends.XEN_ON_HYPERV));
    }

    private static List<Delivery> deliveries(LiveKvm.Run run) {
        return run.records().stream().filter(r -> r instanceof Delivery).map(r -> (Delivery) r).toList();
    }

    /** The TimerArm the VCPUOP_set_singleshot_timer exchange reported. */
    private static TimerArm singleshotArm(LiveKvm.Run run) {
        List<Exchange> arms = run.records().stream()
                .filter(r -> r instanceof Exchange e && e.request() instanceof Hypercall h
                        && h.call() == VCPU_OP && h.args()[0] == VCPUOP_SET_SINGLESHOT_TIMER)
                .map(r -> (Exchange) r).toList();
        assertEquals(1, arms.size(), arms.toString());
        Exchange arm = arms.getFirst();
        assertEquals(0, arm.observation().result());
        assertEquals(1, arm.observation().timers().size(), arm.observation().toString());
        return arm.observation().timers().getFirst();
    }

    private static void assertCleanEnd(LiveKvm.Run run) {
        run.assertWellFormed();
        List<String> console = run.console();
        assertFalse(console.stream().anyMatch(l -> l.startsWith("MISMATCH")), console.toString());
        assertTrue(console.contains("xen-timer: all checks passed"), run.stop() + " " + console
                + " " + run.records().subList(Math.max(0, run.records().size() - 4), run.records().size()));
        assertEquals(GuestStop.StopReason.SHUTDOWN, run.stop().reason(), run.stop().toString());
        assertEquals("sched_op/SCHEDOP_shutdown(poweroff)", run.stop().detail());
        assertTrue(CleanEnd.isClean(run.stop(), console.getLast()), run.stop() + " " + console);
    }

    /**
     * Exactly one Delivery, of the upcall vector; the record before it is the tick: an exchange at
     * or after the armed deadline whose observation raised that upcall on vCPU 0.
     */
    private static void assertOneUpcallAtOrAfterTheDeadline(LiveKvm.Run run, long deadlineNs) {
        List<Delivery> d = deliveries(run);
        assertEquals(1, d.size(), d.toString());
        Delivery delivery = d.getFirst();
        assertEquals(UPCALL_VECTOR, delivery.vector());
        assertEquals(UPCALL, delivery.source());
        assertEquals(0, delivery.vcpu());
        List<TraceRecord> recs = run.records();
        int at = recs.indexOf(delivery);
        Exchange tick = assertInstanceOf(Exchange.class, recs.get(at - 1));
        assertEquals(List.of(new Interrupt(0, UPCALL_VECTOR, UPCALL)), tick.observation().interrupts());
        // Xen never fires a timer early (xen/common/timer.c: the deadline is MAX(deadline, now + slop)).
        assertTrue(tick.timeNs() >= deadlineNs, tick.timeNs() + " ns for a deadline at " + deadlineNs);
        assertTrue(delivery.timeNs() >= tick.timeNs());
    }

    /** Each exchange served again on a fresh backend of the same name agrees with the recording. */
    private static void assertReplayAgrees(LiveKvm.Run run, String backend) throws GuestFault {
        LiveKvm.assertFreshBackendAgrees(backend(backend), run.records(), 5);
    }

    @Test
    void underXenTheGuestWakesInItsUpcallHandlerAndPowersOff() {
        assertCleanEnd(xen);
    }

    @Test
    void underXenTheTickAtTheSingleshotDeadlineRaisesTheUpcallDeliveredOnce() {
        TimerArm arm = singleshotArm(xen);
        assertEquals(new TimerArm(0, "singleshot", arm.deadlineNs(), 0), arm);
        assertOneUpcallAtOrAfterTheDeadline(xen, arm.deadlineNs());
    }

    @Test
    void underTheAdapterTheSameGuestEndsCleanOnStimer0RoundedUpTo100Ns() {
        assertCleanEnd(adapter);
        TimerArm arm = singleshotArm(adapter);
        // hyperv-timer-100ns: STIMER0_COUNT = ceil(ns / 100), so the deadline is a whole tick.
        assertEquals(0, arm.deadlineNs() % HV_NS_PER_TICK, arm.toString());
        assertOneUpcallAtOrAfterTheDeadline(adapter, arm.deadlineNs());
    }

    @Test
    void aReplayOfEachRecordingOnAFreshBackendAgreesWithIt() throws GuestFault {
        assertReplayAgrees(xen, Backends.XEN);
        assertReplayAgrees(adapter, Backends.XEN_ON_HYPERV);
    }
}
