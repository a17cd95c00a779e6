package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;
import java.util.Optional;

import static dev.hcdiff.oracle.adapter.XenGuest.ARG;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random sequences of the calls the adapter maps, run on the reference Xen and on the adapter from
 * the same start: every step must agree or be a catalogued gap. Port numbers, domains and vCPUs are
 * drawn from small ranges around the interesting values (port 0, DOMID_SELF, dom0, the own domid,
 * vCPUs just past the last).
 */
class AdapterAgreementProperties {

    /** One guest call: hypercall number, command, argument struct (placed at ARG). */
    record Step(long nr, int cmd, byte[] struct) {
        @Override
        public String toString() {
            return "hypercall " + nr + " cmd " + cmd + " struct " + java.util.HexFormat.of().formatHex(struct);
        }
    }

    static final int SELF = XenGuest.DOMID_SELF;

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 9);
        Arbitrary<Integer> dom = Arbitraries.of(SELF, 1, 0, 7);
        Arbitrary<Integer> vcpu = Arbitraries.integers().between(0, 2);
        Arbitrary<Step> allocUnbound = Combinators.combine(dom, dom)
                .as((d, r) -> new Step(32, XenGuest.ALLOC_UNBOUND, XenGuest.allocUnbound(d, r)));
        Arbitrary<Step> bindInterdomain = Combinators.combine(dom, port)
                .as((d, p) -> new Step(32, XenGuest.BIND_INTERDOMAIN, XenGuest.bindInterdomain(d, p)));
        Arbitrary<Step> bindIpi = vcpu.map(v -> new Step(32, XenGuest.BIND_IPI, XenGuest.bindIpi(v)));
        Arbitrary<Step> bindVirq = Combinators.combine(Arbitraries.integers().between(0, 25), vcpu)
                .as((virq, v) -> new Step(32, XenGuest.BIND_VIRQ, concat(XenGuest.le32(virq), XenGuest.le32(v), new byte[4])));
        Arbitrary<Step> close = port.map(p -> new Step(32, XenGuest.CLOSE, XenGuest.le32(p)));
        Arbitrary<Step> send = port.map(p -> new Step(32, XenGuest.SEND, XenGuest.le32(p)));
        Arbitrary<Step> unmask = port.map(p -> new Step(32, XenGuest.UNMASK, XenGuest.le32(p)));
        Arbitrary<Step> status = Combinators.combine(dom, port).as((d, p) -> new Step(32, XenGuest.STATUS, XenGuest.status(d, p)));
        Arbitrary<Step> bindVcpu = Combinators.combine(port, vcpu)
                .as((p, v) -> new Step(32, 8, concat(XenGuest.le32(p), XenGuest.le32(v))));
        Arbitrary<Step> reset = dom.map(d -> new Step(32, 10, new byte[] {(byte) (int) d, (byte) (d >> 8)}));
        Arbitrary<Step> sched = Arbitraries.of(XenGuest.YIELD, XenGuest.BLOCK).map(c -> new Step(29, c, new byte[0]));
        Arbitrary<Step> version = Arbitraries.integers().between(0, 11).map(c -> new Step(17, c, new byte[1024]));
        Arbitrary<Step> any = Arbitraries.frequencyOf(
                net.jqwik.api.Tuple.of(3, allocUnbound), net.jqwik.api.Tuple.of(3, bindInterdomain),
                net.jqwik.api.Tuple.of(2, bindIpi), net.jqwik.api.Tuple.of(2, bindVirq), net.jqwik.api.Tuple.of(2, close),
                net.jqwik.api.Tuple.of(4, send), net.jqwik.api.Tuple.of(2, unmask), net.jqwik.api.Tuple.of(2, status),
                net.jqwik.api.Tuple.of(2, bindVcpu), net.jqwik.api.Tuple.of(1, reset), net.jqwik.api.Tuple.of(1, sched),
                net.jqwik.api.Tuple.of(1, version));
        return any.list().ofMinSize(1).ofMaxSize(25);
    }

    @Property(tries = 300, seed = "20261125")
    void everyStepAgreesOrIsAKnownGap(@ForAll("sequences") List<Step> steps) {
        XenConfig cfg = new XenConfig(XenConfig.MODELLED_VERSION, XenConfig.Build.RELEASE, 1, 2,
                CpuVendor.INTEL, 0x40000000, 1023, 2_000_000, new java.util.UUID(0, 0));
        XenGuest xen = new XenGuest(new XenBackend(cfg));
        XenGuest adapter = new XenGuest(XenOnHyperV.of(cfg));
        long seq = 0;
        for (Step s : steps) {
            Hypercall h = new Hypercall(0, dev.hcdiff.trace.record.Abi.XEN64, s.nr(), new long[] {s.cmd(), ARG, 0, 0, 0, 0});
            xen.put(ARG, s.struct());
            adapter.put(ARG, s.struct());
            Observation ref = xen.serve(h);
            Observation got = adapter.serve(h);
            Optional<Divergence> d = Divergence.between(seq++, h, Divergence.Kind.MODELS, ref, got);
            assertTrue(d.isEmpty() || !d.get().isNew(),
                    () -> "new divergence at " + s + ": fields " + d.get().fields() + "\nreference " + ref + "\nadapter   " + got);
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int at = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, at, p.length);
            at += p.length;
        }
        return out;
    }
}
