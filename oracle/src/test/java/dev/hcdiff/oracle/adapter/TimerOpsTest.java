package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.oracle.compare.KnownDivergence;
import dev.hcdiff.oracle.compare.KnownDivergences;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.HvmH;
import dev.hcdiff.oracle.xen.abi.VcpuH;
import dev.hcdiff.oracle.xen.abi.VcpuSetPeriodicTimer;
import dev.hcdiff.oracle.xen.abi.VcpuSetSingleshotTimer;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Xen's timers under the adapter: the reference ({@code xen}) and {@code xen-on-hyperv} serve the
 * same requests in lockstep; every observation must agree, except the catalogued 100 ns rounding
 * of a deadline; the adapter's trail must show the STIMER it programmed.
 */
class TimerOpsTest {

    private static final long MS = 1_000_000L;
    private static final long ARG = 0x1000;
    /** HVM_PARAM_CALLBACK_IRQ type vector (xen/include/public/hvm/params.h, type in bits 63:56). */
    private static final long CALLBACK_VECTOR = 2L << 56;
    private static final int VECTOR = 0xF3;
    /** Hypercall numbers (xen/include/public/xen.h). */
    private static final long SET_TIMER_OP = 15, VCPU_OP = 24, EVENT_CHANNEL_OP = 32, HVM_OP = 34;

    private final XenConfig cfg = new XenConfig(XenConfig.MODELLED_VERSION, XenConfig.Build.RELEASE, 1, 2,
            CpuVendor.INTEL, 0x40000000, 1023, 2_000_000, new java.util.UUID(0, 0));
    private final XenBackend xen = new XenBackend(cfg);
    private XenOnHyperV adapter = XenOnHyperV.of(cfg);
    private final FlatRam xenRam = new FlatRam(0x10000);
    private final FlatRam adapterRam = new FlatRam(0x10000);
    private long now = 0;

    /** Serves {@code r} on both; returns {reference, adapter}. */
    private Observation[] both(GuestRequest r) {
        return new Observation[] {Serving.serve(xen, r, xenRam, now).observation(),
                Serving.serve(adapter, r, adapterRam, now).observation()};
    }

    /** Serves on both and requires equal observations (trails aside); returns the adapter's. */
    private Observation agree(GuestRequest r) {
        Observation[] o = both(r);
        assertEquals(Set.of(), Comparator.differingFields(o[0], o[1]), () -> "reference " + o[0] + "\nadapter " + o[1]);
        return o[1];
    }

    private Hypercall call(int vcpu, long nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return new Hypercall(vcpu, Abi.XEN64, nr, a);
    }

    private void put(byte[] struct) {
        try {
            xenRam.writePhysical(ARG, struct);
            adapterRam.writePhysical(ARG, struct);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }

    /** A vector callback and VIRQ_TIMER bound on {@code vcpu}: returns the port. */
    private int bindTimer(int vcpu) {
        put(new XenHvmParam(XenH.DOMID_SELF, 0, HvmH.HVM_PARAM_CALLBACK_IRQ, CALLBACK_VECTOR | VECTOR).encode(Abi.XEN64));
        agree(call(0, HVM_OP, HvmH.HVMOP_set_param, ARG));
        put(new EvtchnBindVirq(XenH.VIRQ_TIMER, vcpu, 0).encode(Abi.XEN64));
        agree(call(vcpu, EVENT_CHANNEL_OP, 1, ARG));
        try {
            return EvtchnBindVirq.decode(adapterRam.readPhysical(ARG, 12), Abi.XEN64).port();
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }

    private Observation tick(int vcpu, long at) {
        now = at;
        return agree(new CpuidQuery(vcpu, 0, 0));
    }

    @Test
    void setTimerOpProgramsStimer0InHundredNanosecondUnitsRoundedUp() {
        now = 1000;
        Observation[] o = both(call(0, SET_TIMER_OP, 2 * MS + 1));
        assertEquals(List.of(new TimerArm(0, "singleshot", 2 * MS + 1, 0)), o[0].timers());
        // ceil((2 ms + 1 ns) / 100 ns) = 20001 ticks: armed 99 ns after Xen's deadline, never before.
        assertEquals(List.of(new TimerArm(0, "singleshot", 2 * MS + 100, 0)), o[1].timers());
        assertTrue(o[1].trail().contains("WRMSR STIMER0_COUNT (0x400000b1) = 20001 -> ok"), o[1].trail().toString());
        Set<Field> fields = Comparator.differingFields(o[0], o[1]);
        assertEquals(EnumSet.of(Field.TIMERS), fields);
        Optional<KnownDivergence> k = KnownDivergences.match(call(0, SET_TIMER_OP, 2 * MS + 1), fields, o[0], o[1]);
        assertEquals("hyperv-timer-100ns", k.map(KnownDivergence::id).orElse("new"));
    }

    @Test
    void theHundredNanosecondGapAcceptsOnlyARoundingUpOfTheDeadline() {
        Hypercall h = call(0, SET_TIMER_OP, 2 * MS + 1);
        Observation ref = Observation.builder().returns(0).timer(new TimerArm(0, "singleshot", 2 * MS + 1, 0)).build();
        KnownDivergence.Matcher gap = KnownDivergences.byId("hyperv-timer-100ns").orElseThrow().matcher();
        java.util.function.LongFunction<String> id = deadline -> {
            Observation ad = Observation.builder().returns(0).timer(new TimerArm(0, "singleshot", deadline, 0)).build();
            return gap.matches(h, Comparator.differingFields(ref, ad), ref, ad) ? "hyperv-timer-100ns" : "new";
        };
        assertEquals("hyperv-timer-100ns", id.apply(2 * MS + 100));
        assertEquals("new", id.apply(2 * MS), "early: Hyper-V never fires before Xen's deadline");
        assertEquals("new", id.apply(2 * MS + 200), "a whole tick late");
        assertEquals("new", id.apply(2 * MS + 50), "not a multiple of 100 ns");
        assertEquals("new", id.apply(-1), "cancelled instead of armed");
        Observation otherResult = Observation.builder().returns(-22).timer(new TimerArm(0, "singleshot", 2 * MS + 100, 0)).build();
        assertEquals(false, gap.matches(h, Comparator.differingFields(ref, otherResult), ref, otherResult));
    }

    @Test
    void stimerExpiryRaisesVirqTimerAsXenDoes() {
        int port = bindTimer(0);
        Observation set = agree(call(0, SET_TIMER_OP, 3 * MS));
        assertEquals(List.of(new TimerArm(0, "singleshot", 3 * MS, 0)), set.timers());
        assertEquals(List.of(), tick(0, 3 * MS - 100).eventsPending());
        Observation fired = tick(0, 3 * MS);
        assertEquals(List.of(port), fired.eventsPending());
        assertEquals(List.of(new Interrupt(0, VECTOR, "upcall")), fired.interrupts());
        assertTrue(fired.trail().contains("SIM vp0 SINT1: HvMessageTimerExpired stimer0"), fired.trail().toString());
        assertEquals(List.of(), tick(0, 9 * MS).eventsPending(), "a single-shot timer fires once");
    }

    /**
     * STIMER0 and STIMER1 both message SINT1: when both are due at once the second waits behind the
     * first (TLFS, KVM: MessagePending and a retry after EOM; Xen's viridian: a retry at the next
     * poll). The adapter takes both in the same request, so Xen's two timers fire together under
     * every personality of the partition.
     */
    @ParameterizedTest
    @EnumSource(HvPersonality.class)
    void bothTimersDueTogetherAreTakenFromTheOneSlot(HvPersonality personality) {
        adapter = new XenOnHyperV(cfg, HvConfig.defaults().withPersonality(personality).withVcpus(2)
                .withVendor(cfg.vendor()).withTscKhz(cfg.tscKhz()));
        int port = bindTimer(0);
        now = 0;
        agree(call(0, SET_TIMER_OP, 10 * MS));
        put(new VcpuSetPeriodicTimer(10 * MS).encode(Abi.XEN64));
        agree(call(0, VCPU_OP, VcpuH.VCPUOP_set_periodic_timer, 0, ARG));
        Observation both = tick(0, 12 * MS);
        assertEquals(List.of(port), both.eventsPending());
        assertEquals(List.of(new TimerArm(0, "periodic", 20 * MS, 10 * MS)), both.timers());
        assertTrue(both.trail().contains("SIM vp0 SINT1: HvMessageTimerExpired stimer0"), both.trail().toString());
        assertTrue(both.trail().contains("SIM vp0 SINT1: HvMessageTimerExpired stimer1"), both.trail().toString());
        // The periodic timer goes on from there, through the same slot.
        assertEquals(List.of(new TimerArm(0, "periodic", 30 * MS, 10 * MS)), tick(0, 21 * MS).timers());
    }

    @Test
    void aPastSingleshotDeadlineFiresInTheCallWhateverTheFlags() {
        int port = bindTimer(0);
        now = 5 * MS;
        put(new VcpuSetSingleshotTimer(MS, VcpuH.VCPU_SSHOTTMR_future).encode(Abi.XEN64));
        Observation o = agree(call(0, VCPU_OP, VcpuH.VCPUOP_set_singleshot_timer, 0, ARG));
        assertEquals(0, o.result());
        assertEquals(List.of(port), o.eventsPending());
        assertEquals(List.of(new TimerArm(0, "singleshot", -1, 0)), o.timers());
    }

    @Test
    void periodicTimerTicksOnXensPhaseThroughStimer1() {
        int port = bindTimer(0);
        now = 5 * MS;
        put(new VcpuSetPeriodicTimer(10 * MS).encode(Abi.XEN64));
        Observation set = agree(call(0, VCPU_OP, VcpuH.VCPUOP_set_periodic_timer, 0, ARG));
        assertEquals(List.of(new TimerArm(0, "periodic", 10 * MS, 10 * MS)), set.timers());
        assertTrue(set.trail().contains("WRMSR STIMER1_COUNT (0x400000b3) = 100000 -> ok"), set.trail().toString());
        Observation t = tick(0, 33 * MS);
        assertEquals(List.of(port), t.eventsPending());
        assertEquals(List.of(new TimerArm(0, "periodic", 40 * MS, 10 * MS)), t.timers());
        Observation stop = agree(call(0, VCPU_OP, VcpuH.VCPUOP_stop_periodic_timer, 0, 0));
        assertEquals(List.of(new TimerArm(0, "periodic", -1, 0)), stop.timers());
        assertEquals(List.of(), tick(0, 100 * MS).timers());
    }

    @Test
    void aBlockedVcpusPeriodicTimerStopsAndRestartsWhenItRunsAgain() {
        int port = bindTimer(1);
        now = 0;
        agree(new CpuidQuery(1, 0, 0));
        put(new VcpuSetPeriodicTimer(10 * MS).encode(Abi.XEN64));
        agree(call(1, VCPU_OP, VcpuH.VCPUOP_set_periodic_timer, 1, ARG));
        agree(call(1, 29, 1, 0)); // SCHEDOP_block: vCPU 1 is descheduled
        // vCPU 0 runs past vCPU 1's deadline: Xen stopped that timer at the context switch.
        assertEquals(List.of(), tick(0, 25 * MS).eventsPending());
        // vCPU 1 runs again at 27 ms: one tick now, re-phased (next at 37 ms).
        Observation back = tick(1, 27 * MS);
        assertEquals(List.of(port), back.eventsPending());
        assertEquals(List.of(new TimerArm(1, "periodic", 37 * MS, 10 * MS)), back.timers());
    }

    @Test
    void vcpuOpAnswersLikeTheReferenceInXensCheckOrder() {
        assertEquals(-2, agree(call(0, VCPU_OP, 99, 2, 0)).result());
        assertEquals(-38, agree(call(0, VCPU_OP, 99, 0, 0)).result());
        assertEquals(1, agree(call(0, VCPU_OP, VcpuH.VCPUOP_is_up, 0, 0)).result());
        assertEquals(0, agree(call(0, VCPU_OP, VcpuH.VCPUOP_is_up, 1, 0)).result());
        assertEquals(-22, agree(call(0, VCPU_OP, VcpuH.VCPUOP_up, 1, 0)).result());
        assertEquals(-22, agree(call(0, VCPU_OP, VcpuH.VCPUOP_set_singleshot_timer, 1, 0x4000_0000L)).result());
        assertEquals(-14, agree(call(0, VCPU_OP, VcpuH.VCPUOP_set_singleshot_timer, 0, 0x4000_0000L)).result());
        put(new VcpuSetPeriodicTimer(MS - 1).encode(Abi.XEN64));
        assertEquals(-22, agree(call(0, VCPU_OP, VcpuH.VCPUOP_set_periodic_timer, 0, ARG)).result());
        assertEquals(-22, agree(call(0, VCPU_OP, VcpuH.VCPUOP_get_physid, 0, ARG)).result());
        agree(new CpuidQuery(1, 0, 0));
        assertEquals(0, agree(call(0, VCPU_OP, VcpuH.VCPUOP_down, 1, 0)).result());
        Observation off = agree(call(0, VCPU_OP, VcpuH.VCPUOP_down, 0, 0));
        assertEquals(0, off.shutdown());
    }
}
