package dev.hcdiff.recorder;

import dev.hcdiff.recorder.transport.StubPatcher;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop.StopReason;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

/** The hypercall transport on the real /dev/kvm: page install, both register conventions. */
class TransportTest {

    @BeforeEach
    void needsKvm() {
        LiveKvm.assumeKvm();
    }

    @Test
    void transportPageFollowsTheMsrWriteAndHoldsNoTrap() {
        for (boolean amd : new boolean[] {false, true}) {
            LiveKvm.Run run = LiveKvm.record("spin", 2, new MiniXen(amd));
            run.assertWellFormed();
            List<TraceRecord> rs = run.records();
            int msr = indexOf(rs, r -> r instanceof Exchange e && e.request() instanceof MsrWrite);
            Exchange write = (Exchange) rs.get(msr);
            TransportPage page = assertInstanceOf(TransportPage.class, rs.get(msr + 1));
            MemChunk written = write.observation().writes().getFirst();
            assertEquals(written.gpa(), page.gpa());
            assertEquals(((MsrWrite) write.request()).value() & ~0xFFFL, page.gpa());
            byte[] installed = page.bytes();
            byte[] expected = written.data();
            assertEquals(128, StubPatcher.patch(expected), "MiniXen puts a trap in each of its 128 stubs");
            assertArrayEquals(expected, installed);
            for (int i = 0; i + 2 < installed.length; i++) {
                assertFalse(StubPatcher.isTrap(installed, i), "trap left at offset " + i);
            }
        }
    }

    @Test
    void sixtyFourBitGuestCallsAreDecodedWithTheXen64Registers() {
        LiveKvm.Run run = LiveKvm.record("spin", 3, new MiniXen(false));
        run.assertWellFormed();
        List<Hypercall> calls = run.records().stream().filter(r -> r instanceof Exchange e && e.request() instanceof Hypercall)
                .map(r -> (Hypercall) ((Exchange) r).request()).toList();
        // spin.c: 3 x xen_version(XENVER_version, NULL), then sched_op(SCHEDOP_shutdown, &{poweroff}).
        assertEquals(List.of("xen_version/XENVER_version", "xen_version/XENVER_version", "xen_version/XENVER_version",
                "sched_op/SCHEDOP_shutdown"), calls.stream().map(CallNames::of).toList());
        calls.forEach(c -> assertEquals(Abi.XEN64, c.abi()));
        assertEquals(0, calls.getFirst().arg(1), "NULL second argument in rsi");
        assertEquals(4, run.result().hypercalls());
        assertEquals(StopReason.SHUTDOWN, run.stop().reason());
        assertEquals("sched_op/SCHEDOP_shutdown(poweroff)", run.stop().detail());
    }

    @Test
    void thirtyTwoBitGuestCallsAreDecodedWithTheXen32Registers() {
        LiveKvm.Run run = LiveKvm.record("tests/pm32", 0, new MiniXen(false));
        run.assertWellFormed();
        List<Hypercall> calls = run.records().stream().filter(r -> r instanceof Exchange e && e.request() instanceof Hypercall)
                .map(r -> (Hypercall) ((Exchange) r).request()).toList();
        assertEquals(2, calls.size());
        calls.forEach(c -> assertEquals(Abi.XEN32, c.abi()));
        // tests/pm32.S: xen_version with ebx = 0; sched_op with ebx = SCHEDOP_shutdown (2), ecx = &reason.
        assertEquals(17, calls.get(0).call());
        assertEquals(29, calls.get(1).call());
        assertEquals(2, calls.get(1).arg(0));
        assertEquals(List.of("pm32"), run.console());
        assertEquals(StopReason.SHUTDOWN, run.stop().reason());
    }

    @Test
    void spinWithArgumentNMakesNPlusOneHypercalls() {
        for (long n : new long[] {0, 1, 250}) {
            LiveKvm.Run run = LiveKvm.record("spin", n, new MiniXen(true));
            run.assertWellFormed();
            assertEquals(n + 1, run.result().hypercalls(), "spin " + n);
            assertEquals(StopReason.SHUTDOWN, run.stop().reason());
        }
    }

    private static int indexOf(List<TraceRecord> rs, java.util.function.Predicate<TraceRecord> p) {
        for (int i = 0; i < rs.size(); i++) {
            if (p.test(rs.get(i))) {
                return i;
            }
        }
        throw new AssertionError("no such record");
    }
}
