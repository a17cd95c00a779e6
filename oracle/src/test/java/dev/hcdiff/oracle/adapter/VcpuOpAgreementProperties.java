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
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.VcpuH;
import dev.hcdiff.oracle.xen.abi.VcpuRegisterVcpuInfo;
import dev.hcdiff.oracle.xen.abi.VcpuSetPeriodicTimer;
import dev.hcdiff.oracle.xen.abi.VcpuSetSingleshotTimer;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Observation;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * vcpu_op and set_timer_op from both vCPUs in both ABIs, with good, bad and NULL argument
 * pointers, unknown sub-ops and vCPU ids past the last, interleaved with the passing of time and
 * SCHEDOP_block, on the reference and on the adapter: every step agrees or is a catalogued gap. This
 * pins that the adapter keeps Xen's check order (vCPU before cmd, native target-before-copy against
 * compat copy-before-target) and Xen's timer schedule. Times are multiples of 100 ns.
 */
class VcpuOpAgreementProperties {

    private static final long ARG = 0x1000, BAD = 0x4000_0000L;
    private static final long SET_TIMER_OP = 15, VCPU_OP = 24, SCHED_OP = 29, EVENT_CHANNEL_OP = 32;
    private static final long US = 1000;

    sealed interface Step {
    }

    /** vcpu_op(cmd, target, pointer) with an argument built from {@code value} at run time. */
    record Op(int vcpu, Abi abi, int cmd, int target, int pointer, long value, int extra) implements Step {
    }

    record SetTimer(int vcpu, Abi abi, long aheadUs) implements Step {
    }

    record Wait(int vcpu, long us) implements Step {
    }

    record Block(int vcpu) implements Step {
    }

    @Provide
    Arbitrary<List<Step>> sequences() {
        Arbitrary<Integer> vcpu = Arbitraries.integers().between(0, 1);
        Arbitrary<Abi> abi = Arbitraries.of(Abi.XEN64, Abi.XEN32);
        Arbitrary<Integer> cmd = Arbitraries.frequencyOf(Tuple.of(6, Arbitraries.of(VcpuH.VCPUOP_set_singleshot_timer,
                        VcpuH.VCPUOP_stop_singleshot_timer, VcpuH.VCPUOP_set_periodic_timer, VcpuH.VCPUOP_stop_periodic_timer)),
                Tuple.of(3, Arbitraries.integers().between(0, 15)));
        Arbitrary<Integer> target = Arbitraries.of(0, 1, 1, 2, -1);
        Arbitrary<Integer> pointer = Arbitraries.frequencyOf(Tuple.of(8, Arbitraries.just(0)), Tuple.of(1, Arbitraries.of(1, 2)));
        Arbitrary<Long> value = Arbitraries.frequencyOf(Tuple.of(4, Arbitraries.longs().between(-50, 5000)),
                Tuple.of(1, Arbitraries.of(-1L, 0L, 1L << 62)));
        Arbitrary<Integer> extra = Arbitraries.of(0, 1, 4, 8, 4032, 4033);
        Arbitrary<Step> op = Combinators.combine(vcpu, abi, cmd, target, pointer, value, extra).as(Op::new);
        Arbitrary<Step> setTimer = Combinators.combine(vcpu, abi, Arbitraries.longs().between(-100, 5000)).as(SetTimer::new);
        Arbitrary<Step> wait = Combinators.combine(vcpu, Arbitraries.longs().between(0, 4000)).as(Wait::new);
        Arbitrary<Step> block = vcpu.map(Block::new);
        return Arbitraries.frequencyOf(Tuple.of(6, op), Tuple.of(2, setTimer), Tuple.of(3, wait), Tuple.of(1, block))
                .list().ofMinSize(1).ofMaxSize(30);
    }

    @Property(tries = 300, seed = "20261125")
    void vcpuOpAndTimersAgreeOnBothAbis(@ForAll("sequences") List<Step> steps) {
        XenConfig cfg = new XenConfig(XenConfig.MODELLED_VERSION, XenConfig.Build.RELEASE, 1, 2,
                CpuVendor.INTEL, 0x40000000, 1023, 2_000_000, new java.util.UUID(0, 0));
        FlatRam xenRam = new FlatRam(0x10000);
        FlatRam adapterRam = new FlatRam(0x10000);
        XenBackend xen = new XenBackend(cfg);
        XenOnHyperV adapter = XenOnHyperV.of(cfg);
        long now = 1_000_000;
        int i = 0;
        // shared_info mapped at gfn 8, so every write Xen makes into it is compared.
        byte[] map = new dev.hcdiff.oracle.xen.abi.XenAddToPhysmap(XenH.DOMID_SELF, 0,
                dev.hcdiff.oracle.xen.abi.MemoryH.XENMAPSPACE_shared_info, 0, 8).encode(Abi.XEN64);
        put(xenRam, map);
        put(adapterRam, map);
        GuestRequest mapping = new Hypercall(0, Abi.XEN64, 12,
                new long[] {dev.hcdiff.oracle.xen.abi.MemoryH.XENMEM_add_to_physmap, ARG, 0, 0, 0, 0});
        Serving.serve(xen, mapping, xenRam, now);
        Serving.serve(adapter, mapping, adapterRam, now);
        // VIRQ_TIMER bound on both vCPUs, so every expiry is visible as a pending port.
        for (int v = 0; v < 2; v++) {
            byte[] bind = new EvtchnBindVirq(XenH.VIRQ_TIMER, v, 0).encode(Abi.XEN64);
            put(xenRam, bind);
            put(adapterRam, bind);
            GuestRequest r = new Hypercall(v, Abi.XEN64, EVENT_CHANNEL_OP, new long[] {1, ARG, 0, 0, 0, 0});
            Serving.serve(xen, r, xenRam, now);
            Serving.serve(adapter, r, adapterRam, now);
        }
        for (Step s : steps) {
            GuestRequest r = switch (s) {
                case Op o -> {
                    byte[] arg = switch (o.cmd()) {
                        case VcpuH.VCPUOP_set_singleshot_timer ->
                                new VcpuSetSingleshotTimer(now + o.value() * US, o.extra()).encode(o.abi());
                        case VcpuH.VCPUOP_set_periodic_timer -> new VcpuSetPeriodicTimer(o.value() * US).encode(o.abi());
                        case VcpuH.VCPUOP_register_vcpu_info -> new VcpuRegisterVcpuInfo(o.value(), o.extra(), 0).encode(o.abi());
                        default -> new byte[16];
                    };
                    put(xenRam, arg);
                    put(adapterRam, arg);
                    long ptr = switch (o.pointer()) {
                        case 0 -> ARG;
                        case 1 -> 0;
                        default -> BAD;
                    };
                    yield new Hypercall(o.vcpu(), o.abi(), VCPU_OP, new long[] {o.cmd(), Integer.toUnsignedLong(o.target()), ptr, 0, 0, 0});
                }
                case SetTimer t -> {
                    long timeout = now + t.aheadUs() * US;
                    yield new Hypercall(t.vcpu(), t.abi(), SET_TIMER_OP, new long[] {
                            t.abi() == Abi.XEN32 ? timeout & 0xffffffffL : timeout, timeout >>> 32, 0, 0, 0, 0});
                }
                case Wait w -> {
                    now += w.us() * US;
                    yield new CpuidQuery(w.vcpu(), 0, 0);
                }
                case Block b -> new Hypercall(b.vcpu(), Abi.XEN64, SCHED_OP, new long[] {1, 0, 0, 0, 0, 0});
            };
            Observation a = Serving.serve(xen, r, xenRam, now).observation();
            Observation b = Serving.serve(adapter, r, adapterRam, now).observation();
            Set<Field> fields = Comparator.differingFields(a, b);
            if (!fields.isEmpty() && KnownDivergences.match(r, fields, a, b).isEmpty()) {
                fail("step " + i + " (" + s + ") diverges in " + fields + "\n  xen:     " + a + "\n  adapter: " + b);
            }
            if (a.shutdown() >= 0) {
                return;
            }
            i++;
        }
    }

    private static void put(FlatRam ram, byte[] b) {
        try {
            ram.writePhysical(ARG, b);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }
}
