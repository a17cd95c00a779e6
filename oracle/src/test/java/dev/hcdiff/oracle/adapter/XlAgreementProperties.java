package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenMemoryDomain;
import dev.hcdiff.oracle.xen.abi.XenMemoryMap;
import dev.hcdiff.oracle.xen.abi.XenRemoveFromPhysmap;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.Observation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.BiFunction;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sequences of what a firmware does on an {@code xl-hvm} domain — HVM params, memory_op
 * queries and the shared_info overlay, xenstore and console traffic to dom0, upcall set-up, LAPIC
 * enables, IOAPIC accesses, guest writes to shared_info, time passing — on the reference and on the
 * adapter from the same start, with either ABI, for an xl HVM and an xl PVH domain: every step
 * agrees or is a catalogued gap. Values are drawn around the
 * interesting ones (the toolstack's pages and ports, DOMID_SELF and dom0, the APIC page, vectors
 * below 0x10, the end of the param table).
 */
class XlAgreementProperties {

    static final long ARG = 0x12000;
    static final long BUF = 0x13000;
    static final int SELF = 0x7FF0;
    /** HVM_PARAM_CALLBACK_TYPE_* in bits 63:56 (params.h). */
    static final long VECTOR = 2L << 56, INTX = 1L << 56;

    /** One step: the time it advances, and how it sets up the guest's memory and makes its request. */
    record Step(String name, long advanceNs, BiFunction<XlSide, Abi, GuestRequest> make) {
        @Override
        public String toString() {
            return name + " (+" + advanceNs + " ns)";
        }
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Integer> dom = Arbitraries.of(SELF, 1, 0, 7);
        Arbitrary<Integer> index = Arbitraries.frequencyOf(Tuple.of(5, Arbitraries.of(0, 1, 2, 17, 18, 19, 36, 37, 15)),
                Tuple.of(2, Arbitraries.integers().between(0, 40)));
        Arbitrary<Long> value = Arbitraries.of(0L, 1L, 4L, 8L, VECTOR | 0xF3, VECTOR | 0x05, 5L, 47L, 48L,
                INTX | 3 << 11 | 1, 0x80L | 104L << 32, 1L << 32);
        Arbitrary<Step> getParam = Combinators.combine(dom, index).as((d, i) -> new Step("get_param " + d + "/" + i, 0,
                (s, abi) -> hvm(s, abi, 1, new XenHvmParam(d, 0, i, 0).encode(abi))));
        Arbitrary<Step> setParam = Combinators.combine(dom, index, value).as((d, i, v) -> new Step("set_param " + d + "/" + i + "=" + Long.toHexString(v), 0,
                (s, abi) -> hvm(s, abi, 0, new XenHvmParam(d, 0, i, v).encode(abi))));
        Arbitrary<Step> upcallVector = Combinators.combine(Arbitraries.integers().between(0, 2), Arbitraries.of(0x0F, 0x10, 0xE0))
                .as((v, vec) -> new Step("upcall_vector " + v + "=" + vec, 0,
                        (s, abi) -> hvm(s, abi, 23, new XenHvmEvtchnUpcallVector(v, vec).encode(abi))));
        Arbitrary<Integer> memOp = Arbitraries.of(2, 3, 4, 14, 26, 24);
        Arbitrary<Step> memQuery = Combinators.combine(memOp, dom).as((op, d) -> new Step("memory_op " + op + " dom " + d, 0,
                (s, abi) -> {
                    s.ram.put(ARG, new byte[48]);
                    s.ram.put(ARG, new XenMemoryDomain(d).encode(abi));
                    return XlSide.call(abi, 12, op, ARG);
                }));
        Arbitrary<Step> memoryMap = Arbitraries.integers().between(0, 3).map(n -> new Step("memory_map " + n, 0,
                (s, abi) -> {
                    s.ram.put(ARG, new XenMemoryMap(n, BUF, 0).encode(abi));
                    return XlSide.call(abi, 12, 9, ARG);
                }));
        Arbitrary<Long> gfn = Arbitraries.of(0xFDFFFL, 0xFC000L, 0x100L, 0xFEE00L, 0xFEFFEL, 1L << 36);
        Arbitrary<Step> mapShinfo = Combinators.combine(dom, gfn).as((d, g) -> new Step("map shared_info " + d + " @" + Long.toHexString(g), 0,
                (s, abi) -> {
                    s.ram.put(ARG, new XenAddToPhysmap(d, 0, 0, 0, g).encode(abi));
                    return XlSide.call(abi, 12, 7, ARG);
                }));
        Arbitrary<Step> unmap = gfn.map(g -> new Step("remove_from_physmap @" + Long.toHexString(g), 0,
                (s, abi) -> {
                    s.ram.put(ARG, new XenRemoveFromPhysmap(SELF, g).encode(abi));
                    return XlSide.call(abi, 12, 15, ARG);
                }));
        Arbitrary<Step> xsRead = Arbitraries.of("hvmloader/bios", "domid", "platform/acpi", "name", "nosuch", "console/port")
                .map(k -> new Step("xenstore read " + k, 0, (s, abi) -> {
                    s.queueXsRead(k, ARG, 1);
                    return XlSide.call(abi, 32, 4, ARG);
                }));
        Arbitrary<Step> console = Arbitraries.strings().withChars("hcdiff\n").ofMinLength(1).ofMaxLength(20)
                .map(t -> new Step("console " + t.length(), 0, (s, abi) -> {
                    byte[] b = t.getBytes(StandardCharsets.US_ASCII);
                    int prod = s.ram.u32(XlSide.CONSOLE + 3084);
                    for (int i = 0; i < b.length; i++) {
                        s.ram.put(XlSide.CONSOLE + 1024 + ((prod + i) & 2047), new byte[] {b[i]});
                    }
                    s.ram.putU32(XlSide.CONSOLE + 3084, prod + b.length);
                    s.ram.putU32(ARG, 2);
                    return XlSide.call(abi, 32, 4, ARG);
                }));
        Arbitrary<Step> portOp = Combinators.combine(Arbitraries.of(3, 4, 5, 9), Arbitraries.integers().between(0, 3))
                .as((cmd, p) -> new Step("evtchn " + cmd + " port " + p, 0, (s, abi) -> {
                    byte[] st = new byte[24];
                    if (cmd == 5) {
                        st[0] = (byte) SELF;
                        st[1] = (byte) (SELF >> 8);
                        st[4] = (byte) (int) p;
                    } else {
                        st[0] = (byte) (int) p;
                    }
                    s.ram.put(ARG, st);
                    return XlSide.call(abi, 32, cmd, ARG);
                }));
        Arbitrary<Step> spiv = Arbitraries.of(0x1FF, 0xFF).map(v -> new Step("SPIV " + Integer.toHexString(v), 0,
                (s, abi) -> new MmioWrite(0, 0xFEE000F0L, 4, v)));
        Arbitrary<Step> ioapic = Arbitraries.of(0, 1, 0x10).map(reg -> new Step("IOAPIC select " + reg + ", read", 0,
                (s, abi) -> {
                    s.serve(new MmioWrite(0, 0xFEC00000L, 4, reg));
                    return new dev.hcdiff.trace.record.MmioRead(0, 0xFEC00010L, 4);
                }));
        Arbitrary<Step> features = Arbitraries.just(new Step("XENVER_get_features", 0, (s, abi) -> {
            s.ram.put(ARG, new byte[8]);
            return XlSide.call(abi, 17, 6, ARG);
        }));
        Arbitrary<Step> clearPending = Arbitraries.just(new Step("guest clears shared_info pending and upcall", 0,
                (s, abi) -> {
                    long page = s.backend.ownedPages().isEmpty() ? 0xFDFFF000L : s.backend.ownedPages().first();
                    byte[] zero = new byte[64];
                    if (!s.backend.ownedPages().isEmpty()) {
                        s.ram.put(page, zero);
                    }
                    return new GuestWrite(0, new MemChunk(page, zero));
                }));
        Arbitrary<Step> time = Arbitraries.longs().between(1, 2_500_000_000L).map(ns -> new Step("time passes", ns,
                (s, abi) -> XlSide.call(abi, 17, 0, 0)));
        Arbitrary<Step> getTime = Arbitraries.just(new Step("get_time", 0, (s, abi) -> XlSide.call(abi, 34, 10, ARG)));
        Arbitrary<Step> any = Arbitraries.frequencyOf(Tuple.of(3, getParam), Tuple.of(3, setParam), Tuple.of(1, upcallVector),
                Tuple.of(2, memQuery), Tuple.of(1, memoryMap), Tuple.of(2, mapShinfo), Tuple.of(1, unmap),
                Tuple.of(3, xsRead), Tuple.of(2, console), Tuple.of(2, portOp), Tuple.of(1, spiv),
                Tuple.of(1, clearPending), Tuple.of(2, time), Tuple.of(1, getTime), Tuple.of(1, ioapic),
                Tuple.of(1, features));
        return any.list().ofMinSize(1).ofMaxSize(20);
    }

    static GuestRequest hvm(XlSide s, Abi abi, int op, byte[] struct) {
        s.ram.put(ARG, struct);
        return XlSide.call(abi, 34, op, ARG);
    }

    @Property(tries = 200, seed = "20261125")
    void everyStepAgreesOrIsAKnownGap(@ForAll("sequences") List<Step> steps, @ForAll boolean compat, @ForAll boolean pvh) {
        Abi abi = compat ? Abi.XEN32 : Abi.XEN64;
        XenConfig cfg = XenConfig.fromMap(new TreeMap<>(Map.of("xen.domain", pvh ? "xl-pvh" : "xl-hvm", "xen.vcpus", "2",
                "xen.memory-bytes", Long.toString(XlSide.MEMORY), "xen.tsc-khz", "2596138")));
        XlSide xen = new XlSide(new XenBackend(cfg));
        XlSide adapter = new XlSide(XenOnHyperV.of(cfg));
        long seq = 0;
        for (Step step : steps) {
            xen.now += 1_000 + step.advanceNs();
            adapter.now = xen.now;
            GuestRequest r = step.make().apply(xen, abi);
            step.make().apply(adapter, abi);
            Observation ref = xen.serve(r);
            Observation got = adapter.serve(r);
            Optional<Divergence> d = Divergence.between(seq++, r, Divergence.Kind.MODELS, ref, got);
            assertTrue(d.isEmpty() || !d.get().isNew(), () -> "new divergence at " + step + " (" + abi + "): fields "
                    + d.get().fields() + "\nreference " + ref + "\nadapter   " + got);
            assertTrue(xen.backend.ownedPages().equals(adapter.backend.ownedPages()), "the same owned pages");
            if (ref.shutdown() >= 0) {
                break;
            }
        }
    }
}
