package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.toolstack.SparseRam;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenMemoryReservation;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

import static dev.hcdiff.oracle.compare.XenOnHyperVGapsTest.withExtraEvent;
import static dev.hcdiff.oracle.compare.XenOnHyperVGapsTest.withExtraWrite;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The catalog entries of issue 3's gaps (memory_op, the Hyper-V clock, SignalEvent to the root),
 * each produced by the real backends on an {@code xl-hvm} domain: the entry recognises its gap and
 * not the same call with one more difference.
 */
class XlGapsTest {

    static final int SELF = 0x7FF0;
    static final long ARG = 0x12000;
    static final long BUF = 0x13000;
    static final long STORE = 0xFEFFCL << 12;

    final XenConfig config = XenConfig.fromMap(new TreeMap<>(Map.of("xen.domain", "xl-hvm",
            "xen.memory-bytes", Long.toString(64L << 20), "xen.tsc-khz", "2596138")));
    final SparseRam refRam = ram();
    final SparseRam adapterRam = ram();
    Backend ref = new XenBackend(config);
    Backend adapter = XenOnHyperV.of(config);
    long now = 1000;

    static SparseRam ram() {
        return new SparseRam(new long[] {0, 64L << 20}, new long[] {0xFC00_0000L, 0xFE00_0000L},
                new long[] {0xFEFF_0000L, 0xFF00_0000L});
    }

    XenOnHyperVGapsTest.Pair serve(GuestRequest r) {
        return new XenOnHyperVGapsTest.Pair(r, Serving.serve(ref, r, refRam, now).observation(),
                Serving.serve(adapter, r, adapterRam, now).observation());
    }

    static Hypercall call(long nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return new Hypercall(0, Abi.XEN64, nr, a);
    }

    void put(long gpa, byte[] b) {
        refRam.put(gpa, b);
        adapterRam.put(gpa, b);
    }

    /** The same observation with a different result: a second difference on the same call. */
    static Observation withResult(Observation o, long rc) {
        Observation.Builder b = Observation.builder().returns(rc).fault(o.fault()).console(o.console())
                .vcpu(o.vcpu()).shutdown(o.shutdown());
        o.writes().forEach(b::write);
        o.eventsPending().forEach(b::eventPending);
        o.interrupts().forEach(b::interrupt);
        o.trail().forEach(b::trail);
        return b.build();
    }

    /** The same observation with write {@code i}'s byte {@code at} changed. */
    static Observation withByte(Observation o, int i, int at, int value) {
        List<MemChunk> w = new ArrayList<>(o.writes());
        byte[] d = w.get(i).data();
        d[at] = (byte) value;
        w.set(i, new MemChunk(w.get(i).gpa(), d));
        return o.withWrites(w);
    }

    @Test
    void populatePhysmapDoingNothingIsTheReservationGap() {
        put(BUF, new byte[] {0x00, 0x01, (byte) 0xFC, 0, 0, 0, 0, 0});
        put(ARG, new XenMemoryReservation(BUF, 1, 0, 0, SELF).encode(Abi.XEN64));
        XenOnHyperVGapsTest.Pair p = serve(call(12, 6, ARG));
        assertEquals(EnumSet.of(Field.RESULT), p.fields());
        assertEquals(Optional.of("memory-reservation-no-hyperv-call"), p.known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withExtraWrite(p.adapter())).known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withExtraEvent(p.adapter())).known());
        // An adapter that did some of the extents is not this gap: it must return start_extent.
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), withResult(p.ref(), 2), withResult(p.adapter(), 1)).known());
        // The same shape on another memory_op is not this gap either.
        assertTrue(!XenOnHyperVGaps.memoryReservationNoHypervCall(call(12, 3, ARG), p.fields(), p.ref(), p.adapter()));
    }

    @Test
    void movingRamIsTheRootOnlyGap() {
        put(ARG, new XenAddToPhysmap(SELF, 0, 2, 0x300, 0x301).encode(Abi.XEN64));
        XenOnHyperVGapsTest.Pair p = serve(call(12, 7, ARG));
        assertEquals(EnumSet.of(Field.RESULT), p.fields());
        assertEquals(Optional.of("physmap-move-root-only"), p.known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withExtraEvent(p.adapter())).known());
        // -EOPNOTSUPP for some other reason than the parent-only mapping is not this gap.
        Observation unexplained = Observation.builder().returns(-95).build();
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), unexplained).known());
        // The same shape on remove_from_physmap is not this gap.
        assertTrue(!XenOnHyperVGaps.physmapMoveRootOnly(call(12, 15, ARG), p.fields(), p.ref(), p.adapter()));
    }

    @Test
    void aGrantFrameIsTheGrantTableGap() {
        put(ARG, new XenAddToPhysmap(SELF, 0, 1, 0, 0xFC000).encode(Abi.XEN64));
        XenOnHyperVGapsTest.Pair p = serve(call(12, 7, ARG));
        assertEquals(Optional.of("grant-table-no-hyperv-mapping"), p.known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withExtraWrite(p.adapter())).known());
        // The physmap entry does not claim it, nor this one a -EINVAL of another space.
        assertTrue(!XenOnHyperVGaps.physmapMoveRootOnly(p.request(), p.fields(), p.ref(), p.adapter()));
        Observation plainEinval = Observation.builder().returns(-22).build();
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), plainEinval).known());
    }

    @Test
    void getTimeIn100nsUnitsIsTheClockGapAndNothingElse() {
        now = 1_234_567_891L;
        XenOnHyperVGapsTest.Pair p = serve(call(34, 10, ARG));
        assertEquals(EnumSet.of(Field.WRITES), p.fields());
        assertEquals(Optional.of("hyperv-clock-100ns"), p.known());
        // Not a multiple of 100 ns, later than Xen's, or too early: not Hyper-V's clock.
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withByte(p.adapter(), 0, 0, 0x79)).known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withByte(p.adapter(), 0, 1, 0x97)).known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withExtraWrite(p.adapter())).known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withResult(p.adapter(), -22)).known());
    }

    @Test
    void systemTimeFromTheTscPageIsTheClockGapButAnotherTimeFieldIsNot() {
        put(ARG, new XenAddToPhysmap(SELF, 0, 0, 0, 0xFDFFF).encode(Abi.XEN64));
        assertEquals(EnumSet.noneOf(Field.class), serve(call(12, 7, ARG)).fields());
        now = 1_500_000_000L;
        XenOnHyperVGapsTest.Pair p = serve(call(17, 0, 0));
        assertEquals(Optional.of("hyperv-clock-100ns"), p.known());
        MemChunk time = p.adapter().writes().getFirst();
        int sys = (int) (0xFDFFF000L + 32 + 16 - time.gpa());
        int mul = (int) (0xFDFFF000L + 32 + 24 - time.gpa());
        // tsc_to_system_mul is Xen's exact value: a different one is a new divergence.
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(),
                withByte(p.adapter(), 0, mul, time.byteAt(mul) ^ 1)).known());
        // A system_time a whole microsecond early is not the 100 ns rounding.
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(),
                withByte(p.adapter(), 0, sys + 1, time.byteAt(sys + 1) - 4)).known());
    }

    @Test
    void aStoreSendThePartitionCannotSignalIsTheUnavailableCallGap() {
        adapter = new XenOnHyperV(config, HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN)
                .withTscKhz(config.tscKhz()));
        byte[] read = {2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 6, 0, 0, 0, 'd', 'o', 'm', 'i', 'd', 0};
        put(STORE, read);
        refRam.putU32(STORE + 2052, read.length);
        adapterRam.putU32(STORE + 2052, read.length);
        put(ARG, new byte[] {1, 0, 0, 0});
        XenOnHyperVGapsTest.Pair p = serve(call(32, 4, ARG));
        assertTrue(p.fields().contains(Field.WRITES), "xenstored's reply is missing");
        assertEquals(Optional.of("hyperv-call-unavailable"), p.known());
        assertEquals(Optional.empty(), new XenOnHyperVGapsTest.Pair(p.request(), p.ref(), withExtraWrite(p.adapter())).known());
    }
}
