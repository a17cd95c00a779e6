package dev.hcdiff.replayer.diff;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** diff(A, A) is empty, and diff(A, B) names the first step where two generated call sequences differ. */
class DiffEngineProperties {

    /**
     * A small alphabet of Xen calls as (hypercall number, sub-op): xen_version 17 with XENVER_version 0
     * and XENVER_extraversion 1, sched_op 29 with SCHEDOP_yield 0, event_channel_op 32 with
     * EVTCHNOP_send 4 (xen/include/public/xen.h, version.h, sched.h, event_channel.h).
     */
    private static final long[][] CALLS = {{17, 0}, {17, 1}, {29, 0}, {32, 4}};

    /** One guest step: which call and what it returned. */
    record Step(int call, long rc) {
    }

    @Provide
    Arbitrary<List<Step>> runs() {
        Arbitrary<Step> step = Combinators.combine(Arbitraries.integers().between(0, CALLS.length - 1),
                Arbitraries.longs().between(-3, 3)).as(Step::new);
        return step.list().ofMaxSize(12);
    }

    static List<TraceRecord> records(List<Step> steps) {
        List<TraceRecord> out = new ArrayList<>();
        long seq = 0;
        for (Step s : steps) {
            long[] c = CALLS[s.call()];
            Hypercall h = new Hypercall(0, Abi.XEN64, c[0], new long[]{c[1], 0, 0, 0, 0, 0});
            out.add(new Exchange(seq, seq * 10, 0, h, List.of(), Observation.builder().returns(s.rc()).build()));
            seq++;
        }
        out.add(new GuestStop(seq, seq * 10, GuestStop.StopReason.SHUTDOWN, 0, 0x1000, "SCHEDOP_shutdown(poweroff)"));
        return out;
    }

    static DiffOutcome diff(List<Step> a, List<Step> b) {
        JournalHeader h = JournalHeader.create().with(JournalHeader.BACKEND, "xen");
        return DiffEngine.diff("a", h, records(a), "b", h, records(b));
    }

    @Property
    void aTraceDiffedWithItselfIsTheSame(@ForAll("runs") List<Step> a) {
        DiffOutcome o = diff(a, a);
        assertTrue(o.same(), () -> "findings " + o.findings() + ", path change " + o.pathChange());
        assertEquals(a.size() + 1, o.agree(), "every call and the stop agree");
    }

    @Property
    void theFirstDifferenceIsReportedWhereTheSequencesFirstDiffer(@ForAll("runs") List<Step> prefix,
                                                                    @ForAll("runs") List<Step> tailA,
                                                                    @ForAll("runs") List<Step> tailB) {
        List<Step> a = new ArrayList<>(prefix);
        a.addAll(tailA);
        List<Step> b = new ArrayList<>(prefix);
        b.addAll(tailB);
        int i = 0;
        while (i < a.size() && i < b.size() && a.get(i).equals(b.get(i))) {
            i++;
        }
        DiffOutcome o = diff(a, b);
        if (i == a.size() && i == b.size()) {
            assertTrue(o.same());
            return;
        }
        boolean sameCall = i < a.size() && i < b.size() && a.get(i).call() == b.get(i).call();
        if (sameCall) {
            // The same call with another result: the first finding, on both sides at i.
            assertNotNull(o.first());
            assertEquals(i, o.first().seqA());
            assertEquals(i, o.first().seqB());
            assertTrue(o.pathChange() == null || o.pathChange().step() > i);
        } else {
            // Another call, or one guest stopped: the path changed at step i, nothing differed before.
            assertNotNull(o.pathChange());
            assertEquals(i, o.pathChange().step());
            assertNull(o.first(), () -> "a finding before the path change: " + o.findings());
        }
        assertTrue(o.hasNew());
    }
}
