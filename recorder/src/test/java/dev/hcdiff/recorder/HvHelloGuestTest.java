package dev.hcdiff.recorder;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in hv-hello guest on the real /dev/kvm, served by the Hyper-V model ({@code hyperv},
 * TLFS personality, the recorder's live configuration). Expected statuses and faults are what the
 * TLFS specifies for a partition with the default guest privileges (HvPrivilege.DEFAULT_GUEST:
 * SynIC, timers, reference counter, hypercall MSRs, VP index, SignalEvents; no Debugging), not the
 * model's output.
 */
class HvHelloGuestTest {

    /** HV_STATUS values (TLFS App. B). */
    private static final long SUCCESS = 0x0, INVALID_HYPERCALL_CODE = 0x2, INVALID_ALIGNMENT = 0x4, ACCESS_DENIED = 0x6;
    /** Synthetic MSRs (TLFS App. C). */
    private static final int GUEST_OS_ID = 0x40000000, HYPERCALL = 0x40000001, VP_INDEX = 0x40000002,
            TIME_REF_COUNT = 0x40000020, SCONTROL = 0x40000080, SIEFP = 0x40000082, SIMP = 0x40000083,
            EOM = 0x40000084, SINT2 = 0x40000092, SINT3 = 0x40000093, STIMER0_CONFIG = 0x400000B0,
            STIMER0_COUNT = 0x400000B1, CRASH_P0 = 0x40000100, CRASH_P1 = 0x40000101, CRASH_CTL = 0x40000105;
    /** Hypercall input values: code | fast (bit 16) (TLFS "Hypercall Inputs", App. A). */
    private static final long POST_DEBUG_DATA = 0x69, SIGNAL_EVENT_FAST = 0x1_005D, NOTIFY_LONG_SPIN_WAIT_FAST = 0x1_0008,
            UNKNOWN_CODE = 0xFFFF, SIGNAL_EVENT_SLOW = 0x5D;
    /** SIM slot size and HvMessageTimerExpired (TLFS datatypes hv_message, hv_message_type). */
    private static final int SIM_SLOT = 256, TIMER_SINT = 3;

    private static LiveKvm.Run run;

    @BeforeAll
    static void recordHvHello() {
        LiveKvm.assumeKvm();
        run = LiveKvm.record("hv-hello", 0, Backends.create(Backends.HYPERV, LiveConfig.of(Backends.HYPERV)));
    }

    private static List<Exchange> exchanges() {
        return run.records().stream().filter(r -> r instanceof Exchange).map(r -> (Exchange) r).toList();
    }

    private static List<Exchange> hypercalls() {
        return exchanges().stream().filter(e -> e.request() instanceof Hypercall).toList();
    }

    /** "W 0x40000000" / "R 0x40000020" per MSR access, the timer's poll loop (reads of TIME_REF_COUNT after CONFIG) left out. */
    private static List<String> msrAccesses() {
        List<String> out = new ArrayList<>();
        boolean polling = false;
        for (Exchange e : exchanges()) {
            String s = switch (e.request()) {
                case MsrWrite w -> String.format("W 0x%x", w.index());
                case MsrRead r -> String.format("R 0x%x", r.index());
                default -> null;
            };
            if (s == null) {
                continue;
            }
            if (polling && s.equals(String.format("R 0x%x", TIME_REF_COUNT))) {
                continue;
            }
            polling = s.equals(String.format("W 0x%x", STIMER0_CONFIG));
            out.add(s);
        }
        return out;
    }

    private static long simpGpa() {
        return exchanges().stream().filter(e -> e.request() instanceof MsrWrite w && w.index() == SIMP)
                .mapToLong(e -> ((MsrWrite) e.request()).value() & ~0xFFFL).findFirst().orElseThrow();
    }

    /** The first exchange after the STIMER0_CONFIG write in which the model wrote into SINT 3's SIM slot. */
    private static java.util.Optional<Exchange> timerDelivery() {
        long slot = simpGpa() + (long) TIMER_SINT * SIM_SLOT;
        List<Exchange> all = exchanges();
        int armed = 0;
        while (!(all.get(armed).request() instanceof MsrWrite w && w.index() == STIMER0_CONFIG)) {
            armed++;
        }
        // The CONFIG write itself may deliver: a one-shot already due expires at once (TLFS "Synthetic Timers").
        return all.subList(armed, all.size()).stream()
                .filter(e -> e.observation().writes().stream()
                        .anyMatch((MemChunk c) -> c.gpa() < slot + SIM_SLOT && c.gpa() + c.length() > slot))
                .findFirst();
    }

    private static boolean timerMessageDelivered() {
        return timerDelivery().isPresent();
    }

    @Test
    void printsItsBannerAndFindsHyperV() {
        run.assertWellFormed();
        assertEquals("hv-hello: a short tour of the Hyper-V guest ABI", run.console().getFirst());
        // TLFS "Hypervisor Discovery": vendor "Microsoft Hv" at 0x40000000, interface "Hv#1" at 0x40000001.
        assertTrue(run.console().contains("CPUID 0x40000001: interface \"Hv#1\""), run.console().toString());
        assertTrue(run.console().get(1).contains("vendor \"Microsoft Hv\""), run.console().get(1));
    }

    @Test
    void hypercallsComeThroughTheHvTransportInOrderWithTheirTlfsStatuses() {
        List<Exchange> calls = hypercalls();
        assertEquals(List.of(POST_DEBUG_DATA, SIGNAL_EVENT_FAST, NOTIFY_LONG_SPIN_WAIT_FAST, UNKNOWN_CODE, SIGNAL_EVENT_SLOW),
                calls.stream().map(e -> ((Hypercall) e.request()).call()).toList());
        for (Exchange e : calls) {
            assertEquals(Abi.HV64, ((Hypercall) e.request()).abi());
        }
        // Fast SignalEvent: RDX = connection 0x1, flag 0 (TLFS "HvCallSignalEvent" fast form); R8 = 0.
        assertEquals(LiveConfig.HV_GUEST_CONNECTION, ((Hypercall) calls.get(1).request()).arg(0));
        // The misaligned SignalEvent's input GPA is 4 bytes into a page.
        assertEquals(4, ((Hypercall) calls.get(4).request()).arg(0) & 0xFFF);
        assertEquals(List.of(
                ACCESS_DENIED,          // PostDebugData without the Debugging privilege (TLFS App. A privilege; "Ordering of Error Conditions")
                SUCCESS,                // SignalEvent on a configured event port with SynIC, SIEF page and SINT2 on (TLFS "HvCallSignalEvent")
                SUCCESS,                // NotifyLongSpinWait always succeeds (TLFS "HvCallNotifyLongSpinWait")
                INVALID_HYPERCALL_CODE, // unknown code (TLFS "Common Hypercall Status Codes")
                INVALID_ALIGNMENT),     // input GPA not 8-byte aligned (TLFS "Alignment Requirements")
                calls.stream().map(e -> e.observation().result()).toList());
        assertEquals(5, run.result().hypercalls());
    }

    @Test
    void hypercallPageMsrInstallsAHyperVTransportPage() {
        List<TraceRecord> recs = run.records();
        int write = -1;
        for (int i = 0; i < recs.size(); i++) {
            if (recs.get(i) instanceof Exchange e && e.request() instanceof MsrWrite w && w.index() == HYPERCALL) {
                write = i;
                break;
            }
        }
        assertTrue(write >= 0, "no HYPERCALL MSR write");
        MsrWrite w = (MsrWrite) ((Exchange) recs.get(write)).request();
        assertEquals(1, w.value() & 1, "enable bit");
        TransportPage page = (TransportPage) recs.get(write + 1);
        assertEquals(w.value() & ~0xFFFL, page.gpa());
        // The stub at offset 0 is the recorder's out %al,$0xe5; nop, then the page's ret (kvm.md).
        assertEquals((byte) 0xE6, page.bytes()[0]);
        assertEquals((byte) 0xE5, page.bytes()[1]);
        assertEquals((byte) 0x90, page.bytes()[2]);
        assertEquals((byte) 0xC3, page.bytes()[3]);
    }

    @Test
    void msrAccessesFollowTheGuestsStepsAndGrantedOnesNeverFault() {
        List<String> expected = new ArrayList<>(List.of(
                "W 0x40000000", "W 0x40000001", "R 0x40000001", "R 0x40000002", "R 0x40000020",
                "W 0x40000083", "W 0x40000082", "W 0x40000092", "W 0x40000093", "W 0x40000080",
                "R 0x40000020", "W 0x400000b1", "W 0x400000b0",
                "R 0x400000b0", "W 0x40000084", "R 0x40000020"));
        if (!timerMessageDelivered()) {
            // The guest reports the missing expiry with the crash MSRs (0x40000003 EDX bit 10 is offered).
            expected.addAll(List.of("W 0x40000100", "W 0x40000101", "W 0x40000105"));
        }
        assertEquals(expected, msrAccesses());
        // Every MSR hv-hello touches is granted by the default privileges, so none raises #GP (TLFS App. C).
        for (Exchange e : exchanges()) {
            if (e.request() instanceof MsrWrite || e.request() instanceof MsrRead) {
                assertEquals(Fault.NONE, e.observation().fault(), e.request().toString());
            }
        }
        Exchange guestOsId = exchanges().stream().filter(e -> e.request() instanceof MsrWrite w && w.index() == GUEST_OS_ID)
                .findFirst().orElseThrow();
        // Open-source identity: bit 63 set (TLFS "Reporting the Guest OS Identity").
        assertTrue(((MsrWrite) guestOsId.request()).value() < 0);
        Exchange vpIndex = exchanges().stream().filter(e -> e.request() instanceof MsrRead r && r.index() == VP_INDEX)
                .findFirst().orElseThrow();
        assertEquals(0, vpIndex.observation().result(), "the boot VP is VP 0");
    }

    @Test
    void theTimerMessageArrivesNoEarlierThanItsCount() {
        if (!timerMessageDelivered()) {
            return; // verdictAgreesWithWhatTheHypervisorDid… pins the guest's report of the missing expiry
        }
        long count = exchanges().stream().filter(e -> e.request() instanceof MsrWrite w && w.index() == STIMER0_COUNT)
                .mapToLong(e -> ((MsrWrite) e.request()).value()).findFirst().orElseThrow();
        Exchange delivering = timerDelivery().orElseThrow();
        // COUNT is an absolute reference time in 100 ns units; "the timer never fires early" (TLFS "Synthetic Timers").
        assertTrue(delivering.timeNs() / 100 >= count, "delivered at " + delivering.timeNs() + " ns for COUNT " + count);
    }

    @Test
    void referenceCounterNeverGoesBackwards() {
        long last = -1;
        for (Exchange e : exchanges()) {
            if (e.request() instanceof MsrRead r && r.index() == TIME_REF_COUNT) {
                long t = e.observation().result();
                assertTrue(t >= last, "TIME_REF_COUNT went from " + last + " to " + t);
                last = t;
            }
        }
        assertTrue(last > 0);
    }

    @Test
    void verdictAgreesWithWhatTheHypervisorDidAndACleanRunEndsDone() {
        GuestStop stop = run.stop();
        assertEquals(GuestStop.StopReason.HALTED, stop.reason());
        assertEquals(CleanEnd.HALT_WITH_INTERRUPTS_OFF, stop.detail());
        List<String> console = run.console();
        if (timerMessageDelivered()) {
            assertFalse(console.stream().anyMatch(l -> l.startsWith("MISMATCH")), console.toString());
            assertEquals(List.of("hv-hello: all checks passed", CleanEnd.DONE_LINE), console.subList(console.size() - 2, console.size()));
            assertTrue(CleanEnd.isClean(stop, console.getLast()));
        } else {
            assertTrue(console.contains("MISMATCH: stimer0 message: got 0x0, expected 0x80000010"), console.toString());
            assertFalse(CleanEnd.isClean(stop, console.getLast()));
        }
    }
}
