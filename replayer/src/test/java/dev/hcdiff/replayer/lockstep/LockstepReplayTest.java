package dev.hcdiff.replayer.lockstep;

import dev.hcdiff.replayer.ScriptedBackend;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;
import java.util.SortedMap;
import java.util.TreeMap;
import java.util.function.ToLongFunction;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The lockstep loop's bookkeeping, with two tiny personalities whose answers are a function of
 * the request: this tests the replayer, not any model.
 */
class LockstepReplayTest {

    /** A personality answering rax = f(request); it reads the first 4 bytes at args[1] (-EFAULT if it cannot). */
    private static Backend personality(String name, ToLongFunction<Hypercall> f) {
        return ScriptedBackend.answering(name, (request, memory) -> {
            Hypercall h = (Hypercall) request;
            memory.readLinear(h.arg(1), 4);
            return Observation.builder().returns(f.applyAsLong(h)).build();
        });
    }

    private static Exchange call(long seq, long nr, long recordedRax) {
        Hypercall h = new Hypercall(0, Abi.XEN64, nr, new long[]{0, 0x1000, 0, 0, 0, 0});
        return new Exchange(seq, seq * 100, 50, h, List.of(new MemChunk(0x1000, new byte[4])),
                Observation.builder().returns(recordedRax).build());
    }

    private static JournalHeader header(String backend) {
        return JournalHeader.create().with(JournalHeader.BACKEND, backend).with(JournalHeader.GUEST, "t");
    }

    @Test
    void agreeingExchangesCountAsAgreeAndNothingDiverges() {
        List<TraceRecord> trace = List.of(call(0, 17, 7), call(1, 17, 7),
                new GuestStop(2, 300, GuestStop.StopReason.SHUTDOWN, 0, 0x1234, "poweroff"));
        ReplayOutcome o = new LockstepReplay(personality("ref", h -> 7), personality("tr", h -> 7))
                .run(header("ref"), trace.iterator());
        assertEquals(3, o.records());
        assertEquals(2, o.exchanges());
        assertEquals(2, o.hypercalls());
        assertEquals(2, o.agree());
        assertTrue(o.diverging().isEmpty());
        assertEquals(GuestStop.StopReason.SHUTDOWN, o.stop().reason());
    }

    @Test
    void modelsThatDisagreeGiveANewModelsDivergenceNamingTheField() {
        List<TraceRecord> trace = List.of(call(0, 17, 7));
        ReplayOutcome o = new LockstepReplay(personality("ref", h -> 7), personality("tr", h -> 8))
                .run(header("ref"), trace.iterator());
        assertEquals(1, o.newDivergences());
        Divergence d = o.diverging().getFirst().primary();
        assertEquals(Divergence.Kind.MODELS, d.kind());
        assertEquals(Set.of(Field.RESULT), d.fields());
        assertNull(d.known());
        assertEquals("xen_version/XENVER_version", d.call());
    }

    @Test
    void theServingModelIsCheckedAgainstWhatTheGuestWasTold() {
        List<TraceRecord> trace = List.of(call(0, 17, 9));
        ReplayOutcome o = new LockstepReplay(personality("ref", h -> 7), personality("tr", h -> 7))
                .run(header("ref"), trace.iterator());
        Divergence d = o.diverging().getFirst().primary();
        assertEquals(Divergence.Kind.RECORDED, d.kind());
        assertEquals(9, d.other().result());
        assertEquals(1, o.newDivergences());
    }

    @Test
    void aRecordingServedByAnotherPersonalityIsNotFidelityChecked() {
        List<TraceRecord> trace = List.of(call(0, 17, 9));
        ReplayOutcome o = new LockstepReplay(personality("ref", h -> 7), personality("tr", h -> 7))
                .run(header("someone-else"), trace.iterator());
        assertTrue(o.diverging().isEmpty());
    }

    @Test
    void aModelReadingUnrecordedMemoryIsAnErrorDivergenceAndTheRunGoesOn() {
        Hypercall h = new Hypercall(0, Abi.XEN64, 17, new long[]{0, 0x5000, 0, 0, 0, 0});
        Exchange e = new Exchange(0, 0, 0, h, List.of(), Observation.builder().returns(7).build());
        List<TraceRecord> trace = List.of(e, call(1, 17, 7));
        ReplayOutcome o = new LockstepReplay(personality("ref", x -> 7), personality("tr", x -> 7))
                .run(header("ref"), trace.iterator());
        assertEquals(1, o.diverging().size());
        Divergence d = o.diverging().getFirst().primary();
        assertEquals(Divergence.Kind.ERROR, d.kind());
        assertTrue(d.error().contains("unrecorded memory"), d.error());
        assertEquals(1, o.agree());
    }

    @Test
    void transportPagesAreNotReplayed() {
        List<TraceRecord> trace = List.of(new TransportPage(0, 0, 0x1000, new byte[4096]));
        ReplayOutcome o = new LockstepReplay(personality("ref", x -> 7), personality("tr", x -> 8))
                .run(header("ref"), trace.iterator());
        assertEquals(0, o.exchanges());
        assertTrue(o.diverging().isEmpty());
    }

    @Test
    void latenciesAreRecordedPerCallForBothModelsAndTheRecording() {
        List<TraceRecord> trace = List.of(call(0, 17, 7), call(1, 17, 7));
        ReplayOutcome o = new LockstepReplay(personality("ref", x -> 7), personality("tr", x -> 7))
                .run(header("ref"), trace.iterator());
        assertEquals(2, o.latency().get("xen_version/XENVER_version", "ref").getTotalCount());
        assertEquals(2, o.latency().get("xen_version/XENVER_version", "tr").getTotalCount());
        assertEquals(50, o.latency().get("xen_version/XENVER_version", LockstepReplay.RECORDED).getMaxValue(), 0.5);
    }
}
