package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.oracle.compare.KnownDivergences;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnBindInterdomain;
import dev.hcdiff.oracle.xen.abi.EvtchnBindIpi;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.EvtchnH;
import dev.hcdiff.oracle.xen.abi.HvmH;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.XenAddToPhysmap;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Event delivery end to end: random sequences of bind (IPI, VIRQ_TIMER, loopback interdomain),
 * send, close, EVTCHNOP_unmask, the guest's own writes to shared_info (setting a mask bit,
 * clearing a pending bit, its selector word, evtchn_upcall_pending) and timers with the passing of
 * time, from either vCPU, on the reference Xen and on the adapter with shared_info mapped and
 * each way a guest asks for its upcall ({@link Upcall}). Every observation — the pending bits, selector and upcall_pending written into
 * the guest's shared_info, the ports made pending, the upcall interrupts, the timers — must agree
 * or be a catalogued gap. Times are whole multiples of 100 ns, so the timers agree exactly.
 */
class EventDeliveryProperties {

    private static final long ARG = 0x1000;
    /** Where the guest maps shared_info (gfn 8). */
    private static final long SHINFO = 0x8000;
    /** HVM_PARAM_CALLBACK_IRQ type vector (params.h: type in bits 63:56). */
    private static final long CALLBACK_VECTOR = 2L << 56 | 0xF3;
    /** Hypercall numbers (xen/include/public/xen.h). */
    private static final long MEMORY_OP = 12, SET_TIMER_OP = 15, EVENT_CHANNEL_OP = 32, HVM_OP = 34;

    /** One step: a hypercall with its struct, a guest write into shared_info, or time passing. */
    sealed interface Step {
    }

    record Call(int vcpu, long nr, int cmd, byte[] struct) implements Step {
        @Override
        public String toString() {
            return "vcpu" + vcpu + " hypercall " + nr + " cmd " + cmd + " " + java.util.HexFormat.of().formatHex(struct);
        }
    }

    /** The guest sets ({@code set}) or clears bit {@code bit} of the shared_info byte at {@code offset}. */
    record Poke(int vcpu, int offset, int bit, boolean set) implements Step {
    }

    record Timer(int vcpu, long aheadTicks) implements Step {
    }

    record Wait(int vcpu, long ticks) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Integer> vcpu = Arbitraries.integers().between(0, 1);
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 8);
        Arbitrary<Step> bindIpi = Combinators.combine(vcpu, vcpu).as((from, to) ->
                new Call(from, EVENT_CHANNEL_OP, EvtchnH.EVTCHNOP_bind_ipi, new EvtchnBindIpi(to, 0).encode(Abi.XEN64)));
        Arbitrary<Step> bindTimer = vcpu.map(v ->
                new Call(v, EVENT_CHANNEL_OP, EvtchnH.EVTCHNOP_bind_virq, new EvtchnBindVirq(XenH.VIRQ_TIMER, v, 0).encode(Abi.XEN64)));
        Arbitrary<Step> alloc = vcpu.map(v -> new Call(v, EVENT_CHANNEL_OP, EvtchnH.EVTCHNOP_alloc_unbound,
                new EvtchnAllocUnbound(XenH.DOMID_SELF, XenH.DOMID_SELF, 0).encode(Abi.XEN64)));
        Arbitrary<Step> bindLoop = Combinators.combine(vcpu, port).as((v, p) -> new Call(v, EVENT_CHANNEL_OP,
                EvtchnH.EVTCHNOP_bind_interdomain, new EvtchnBindInterdomain(XenH.DOMID_SELF, p, 0).encode(Abi.XEN64)));
        Arbitrary<Step> send = Combinators.combine(vcpu, port).as((v, p) -> new Call(v, EVENT_CHANNEL_OP, EvtchnH.EVTCHNOP_send, le32(p)));
        Arbitrary<Step> close = Combinators.combine(vcpu, port).as((v, p) -> new Call(v, EVENT_CHANNEL_OP, EvtchnH.EVTCHNOP_close, le32(p)));
        Arbitrary<Step> unmask = Combinators.combine(vcpu, port).as((v, p) -> new Call(v, EVENT_CHANNEL_OP, EvtchnH.EVTCHNOP_unmask, le32(p)));
        Arbitrary<Step> mask = Combinators.combine(vcpu, port).as((v, p) -> new Poke(v, SharedInfo.EVTCHN_MASK_64 + p / 8, p % 8, true));
        Arbitrary<Step> clearPending = Combinators.combine(vcpu, port).as((v, p) -> new Poke(v, SharedInfo.EVTCHN_PENDING + p / 8, p % 8, false));
        // Ports 0..8 all sit in selector word 0: bit 0 of evtchn_pending_sel.
        Arbitrary<Step> clearSel = vcpu.map(v -> new Poke(v, v * SharedInfo.VCPU_INFO_SIZE + SharedInfo.PENDING_SEL_64, 0, false));
        Arbitrary<Step> clearUpcall = vcpu.map(v -> new Poke(v, v * SharedInfo.VCPU_INFO_SIZE + SharedInfo.UPCALL_PENDING, 0, false));
        Arbitrary<Step> timer = Combinators.combine(vcpu, Arbitraries.longs().between(-20, 200)).as(Timer::new);
        Arbitrary<Step> wait = Combinators.combine(vcpu, Arbitraries.longs().between(0, 150)).as(Wait::new);
        return Arbitraries.frequencyOf(
                Tuple.of(2, bindIpi), Tuple.of(2, bindTimer), Tuple.of(2, alloc), Tuple.of(2, bindLoop),
                Tuple.of(5, send), Tuple.of(2, close), Tuple.of(2, unmask), Tuple.of(2, mask),
                Tuple.of(2, clearPending), Tuple.of(1, clearSel), Tuple.of(2, clearUpcall),
                Tuple.of(2, timer), Tuple.of(3, wait)).list().ofMinSize(1).ofMaxSize(30);
    }

    /** One backend with its guest RAM. */
    private static final class Side {
        final FlatRam ram = new FlatRam(0x10000);
        final dev.hcdiff.oracle.backend.Backend backend;

        Side(dev.hcdiff.oracle.backend.Backend backend) {
            this.backend = backend;
        }

        Observation serve(GuestRequest r, long now) {
            return Serving.serve(backend, r, ram, now).observation();
        }

        void put(long gpa, byte[] b) {
            try {
                ram.writePhysical(gpa, b);
            } catch (GuestFault f) {
                throw new AssertionError(f);
            }
        }

        byte get(long gpa) {
            try {
                return ram.readPhysical(gpa, 1)[0];
            } catch (GuestFault f) {
                throw new AssertionError(f);
            }
        }
    }

    /** How the guest asked for its upcall: each reaches the vCPU differently (hvm_assert_evtchn_irq()). */
    enum Upcall {
        /** HVM_PARAM_CALLBACK_IRQ type vector 0xF3: injected on any vCPU while upcall_pending is set. */
        CALLBACK_VECTOR,
        /** HVMOP_set_evtchn_upcall_vector 0xE0/0xE1 per vCPU, LAPICs enabled: through the LAPIC. */
        PER_VCPU_VECTOR,
        /** Per-vCPU vectors with the LAPICs left software-disabled: nothing is raised until SPIV enables them. */
        PER_VCPU_VECTOR_LAPIC_OFF,
        /** HVM_PARAM_CALLBACK_IRQ type GSI 5: a line, vCPU 0 only. */
        GSI,
        /** No callback: pending bits only. */
        NONE
    }

    /** HVM_PARAM_CALLBACK_IRQ type GSI (params.h: type 0 in bits 63:56) on GSI 5. */
    private static final long CALLBACK_GSI5 = 5;

    @Provide
    Arbitrary<Upcall> upcalls() {
        return Arbitraries.of(Upcall.class);
    }

    private static List<Step> setup(Upcall how) {
        List<Step> out = new java.util.ArrayList<>();
        out.add(new Call(0, MEMORY_OP, MemoryH.XENMEM_add_to_physmap, new XenAddToPhysmap(XenH.DOMID_SELF, 0,
                MemoryH.XENMAPSPACE_shared_info, 0, SHINFO >>> 12).encode(Abi.XEN64)));
        switch (how) {
            case CALLBACK_VECTOR, GSI -> out.add(new Call(0, HVM_OP, HvmH.HVMOP_set_param, new XenHvmParam(XenH.DOMID_SELF, 0,
                    HvmH.HVM_PARAM_CALLBACK_IRQ, how == Upcall.GSI ? CALLBACK_GSI5 : CALLBACK_VECTOR).encode(Abi.XEN64)));
            case PER_VCPU_VECTOR, PER_VCPU_VECTOR_LAPIC_OFF -> {
                for (int v = 0; v < 2; v++) {
                    out.add(new Call(v, HVM_OP, HvmH.HVMOP_set_evtchn_upcall_vector,
                            new XenHvmEvtchnUpcallVector(v, 0xE0 + v).encode(Abi.XEN64)));
                    if (how == Upcall.PER_VCPU_VECTOR) {
                        out.add(new LapicOn(v));
                    }
                }
            }
            case NONE -> {
            }
        }
        return out;
    }

    /** The guest software-enables its LAPIC (SPIV = 0x1FF at 0xFEE000F0), as hvmloader's apic_setup() does. */
    record LapicOn(int vcpu) implements Step {
    }

    @Property(tries = 300, seed = "20261125")
    void referenceAndAdapterDeliverEventsAlike(@ForAll("upcalls") Upcall how, @ForAll("sequences") List<Step> steps) {
        XenConfig cfg = new XenConfig(XenConfig.MODELLED_VERSION, XenConfig.Build.RELEASE, 1, 2,
                CpuVendor.INTEL, 0x40000000, 1023, 2_000_000, new java.util.UUID(0, 0));
        Side xen = new Side(new XenBackend(cfg));
        Side adapter = new Side(XenOnHyperV.of(cfg));
        long now = 1_000_000;
        List<Step> setup = setup(how);
        int i = 0;
        boolean upcall = false, timerEvent = false;
        for (Step s : concat(setup, steps)) {
            GuestRequest r;
            switch (s) {
                case Call c -> {
                    xen.put(ARG, c.struct());
                    adapter.put(ARG, c.struct());
                    r = new Hypercall(c.vcpu(), Abi.XEN64, c.nr(), new long[] {c.cmd(), ARG, 0, 0, 0, 0});
                }
                case Poke p -> {
                    long gpa = SHINFO + p.offset();
                    byte b = xen.get(gpa);
                    byte v = (byte) (p.set() ? b | 1 << p.bit() : b & ~(1 << p.bit()));
                    xen.put(gpa, new byte[] {v});
                    adapter.put(gpa, new byte[] {v});
                    r = new GuestWrite(p.vcpu(), new MemChunk(gpa, new byte[] {v}));
                }
                case Timer t -> r = new Hypercall(t.vcpu(), Abi.XEN64, SET_TIMER_OP,
                        new long[] {now + t.aheadTicks() * 100 * 1000, 0, 0, 0, 0, 0});
                case LapicOn l -> r = new dev.hcdiff.trace.record.MmioWrite(l.vcpu(), 0xFEE000F0L, 4, 0x1FF);
                case Wait w -> {
                    now += w.ticks() * 100 * 1000;
                    r = new dev.hcdiff.trace.record.CpuidQuery(w.vcpu(), 0, 0);
                }
            }
            Observation a = xen.serve(r, now);
            Observation b = adapter.serve(r, now);
            Set<Field> fields = Comparator.differingFields(a, b);
            if (!fields.isEmpty() && KnownDivergences.match(r, fields, a, b).isEmpty()) {
                fail("step " + i + " (" + s + ") diverges in " + fields + "\n  xen:     " + a + "\n  adapter: " + b);
            }
            upcall |= !a.interrupts().isEmpty();
            timerEvent |= (s instanceof Wait || s instanceof Timer) && !a.eventsPending().isEmpty();
            i++;
        }
        // How often the sequences reach the interesting paths (reported by jqwik, not asserted).
        Statistics.label("upcall raised").collect(upcall);
        Statistics.label("timer fired").collect(timerEvent);
    }

    private static byte[] le32(int v) {
        return new byte[] {(byte) v, (byte) (v >> 8), (byte) (v >> 16), (byte) (v >> 24)};
    }

    private static List<Step> concat(List<Step> a, List<Step> b) {
        List<Step> out = new java.util.ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
