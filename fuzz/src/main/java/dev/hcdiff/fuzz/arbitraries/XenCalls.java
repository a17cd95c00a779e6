package dev.hcdiff.fuzz.arbitraries;

import dev.hcdiff.fuzz.FuzzCall;
import dev.hcdiff.oracle.xen.abi.EvtchnAllocUnbound;
import dev.hcdiff.oracle.xen.abi.EvtchnBindInterdomain;
import dev.hcdiff.oracle.xen.abi.EvtchnBindIpi;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVcpu;
import dev.hcdiff.oracle.xen.abi.EvtchnBindVirq;
import dev.hcdiff.oracle.xen.abi.EvtchnClose;
import dev.hcdiff.oracle.xen.abi.EvtchnH;
import dev.hcdiff.oracle.xen.abi.EvtchnReset;
import dev.hcdiff.oracle.xen.abi.EvtchnSend;
import dev.hcdiff.oracle.xen.abi.EvtchnSetPriority;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.EvtchnUnmask;
import dev.hcdiff.oracle.xen.abi.SchedRemoteShutdown;
import dev.hcdiff.oracle.xen.abi.SchedShutdown;
import dev.hcdiff.oracle.xen.abi.SchedWatchdog;
import dev.hcdiff.oracle.xen.abi.XenFeatureInfo;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * jqwik arbitraries of Xen hypercalls as a guest could make them, valid and invalid, built by
 * composition so they shrink (style.md §5.2): towards the first listed value of each choice
 * (port 1, DOMID_SELF, vCPU 0, the valid pointer). Argument structures are encoded with the Xen
 * ABI layer's records, so their layout is Xen's.
 */
public final class XenCalls {

    private XenCalls() {
    }

    /** Sequences of calls of one ABI, 1 to {@code maxLength} long. */
    public static Arbitrary<List<FuzzCall>> sequences(int maxLength) {
        return Arbitraries.of(Abi.XEN64, Abi.XEN32)
                .flatMap(abi -> call(abi).list().ofMinSize(1).ofMaxSize(maxLength));
    }

    /** One call: mostly event channels, where the state is. */
    public static Arbitrary<FuzzCall> call(Abi abi) {
        return Arbitraries.frequencyOf(
                Tuple.of(10, eventChannelOp(abi)),
                Tuple.of(3, xenVersion(abi)),
                Tuple.of(2, schedOp(abi)),
                Tuple.of(1, consoleIo(abi)),
                Tuple.of(1, otherNumber(abi)));
    }

    // --- values a guest would plausibly pass, the interesting ones first ---------------------

    /** Ports: allocated ones first (the allocator starts at 1), then the edges of 2L and of buckets. */
    static Arbitrary<Integer> port() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(1, 6)),
                Tuple.of(2, Arbitraries.of(0, 63, 64, 65, 1023, 1024, 4095, 4096, -1)),
                Tuple.of(1, Arbitraries.integers()));
    }

    /** Domain ids: DOMID_SELF, dom0, ourselves (domid 1), the reserved ids, anything. */
    static Arbitrary<Integer> domid() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(XenH.DOMID_SELF)),
                Tuple.of(3, Arbitraries.of(0, 1, 2, XenH.DOMID_IO, XenH.DOMID_XEN, XenH.DOMID_INVALID, XenH.DOMID_IDLE)),
                Tuple.of(1, Arbitraries.integers().between(0, 0xffff)));
    }

    static Arbitrary<Integer> vcpu() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.just(0)),
                Tuple.of(2, Arbitraries.of(1, 31, 32, -1)),
                Tuple.of(1, Arbitraries.integers()));
    }

    /** VIRQ numbers: the per-vCPU ones, the global ones, past NR_VIRQS (24). */
    static Arbitrary<Integer> virq() {
        return Arbitraries.frequencyOf(
                Tuple.of(8, Arbitraries.integers().between(0, 23)),
                Tuple.of(2, Arbitraries.of(24, 25, 255, -1)));
    }

    /** The pointer argument: the structure, or a bad address, or NULL. */
    static Arbitrary<Long> pointer() {
        return Arbitraries.frequencyOf(
                Tuple.of(12, Arbitraries.just(FuzzCall.ARG_GPA)),
                Tuple.of(1, Arbitraries.just(FuzzCall.BAD_GPA)),
                Tuple.of(1, Arbitraries.just(0L)));
    }

    private static FuzzCall make(Abi abi, XenHypercall h, long cmd, long ptr, byte[] arg) {
        return new FuzzCall(abi, h.number(), new long[]{cmd, ptr, 0, 0, 0, 0}, arg);
    }

    // --- per hypercall --------------------------------------------------------------------------

    static Arbitrary<FuzzCall> eventChannelOp(Abi abi) {
        Arbitrary<byte[]> allocUnbound = Combinators.combine(domid(), domid())
                .as((d, r) -> new EvtchnAllocUnbound(d, r, 0).encode(abi));
        Arbitrary<byte[]> bindInterdomain = Combinators.combine(domid(), port())
                .as((d, p) -> new EvtchnBindInterdomain(d, 0, p, 0).encode(abi));
        Arbitrary<byte[]> bindVirq = Combinators.combine(virq(), vcpu())
                .as((v, c) -> new EvtchnBindVirq(v, c, 0).encode(abi));
        Arbitrary<byte[]> bindIpi = vcpu().map(c -> new EvtchnBindIpi(c, 0).encode(abi));
        Arbitrary<byte[]> close = port().map(p -> new EvtchnClose(p).encode(abi));
        Arbitrary<byte[]> send = port().map(p -> new EvtchnSend(p).encode(abi));
        Arbitrary<byte[]> status = Combinators.combine(domid(), port())
                .as((d, p) -> new EvtchnStatus(d, 0, p, 0, 0, 0).encode(abi));
        Arbitrary<byte[]> bindVcpu = Combinators.combine(port(), vcpu())
                .as((p, c) -> new EvtchnBindVcpu(p, c).encode(abi));
        Arbitrary<byte[]> unmask = port().map(p -> new EvtchnUnmask(p).encode(abi));
        Arbitrary<byte[]> reset = domid().map(d -> new EvtchnReset(d).encode(abi));
        Arbitrary<byte[]> setPriority = Combinators.combine(port(), Arbitraries.of(7, 0, 15, 16))
                .as((p, q) -> new EvtchnSetPriority(p, q).encode(abi));
        Arbitrary<Tuple.Tuple2<Integer, byte[]>> op = Arbitraries.frequencyOf(
                Tuple.of(4, send.map(b -> Tuple.of(EvtchnH.EVTCHNOP_send, b))),
                Tuple.of(4, allocUnbound.map(b -> Tuple.of(EvtchnH.EVTCHNOP_alloc_unbound, b))),
                Tuple.of(3, close.map(b -> Tuple.of(EvtchnH.EVTCHNOP_close, b))),
                Tuple.of(3, status.map(b -> Tuple.of(EvtchnH.EVTCHNOP_status, b))),
                Tuple.of(2, bindInterdomain.map(b -> Tuple.of(EvtchnH.EVTCHNOP_bind_interdomain, b))),
                Tuple.of(2, bindVirq.map(b -> Tuple.of(EvtchnH.EVTCHNOP_bind_virq, b))),
                Tuple.of(2, bindIpi.map(b -> Tuple.of(EvtchnH.EVTCHNOP_bind_ipi, b))),
                Tuple.of(2, unmask.map(b -> Tuple.of(EvtchnH.EVTCHNOP_unmask, b))),
                Tuple.of(1, bindVcpu.map(b -> Tuple.of(EvtchnH.EVTCHNOP_bind_vcpu, b))),
                Tuple.of(1, reset.map(b -> Tuple.of(EvtchnH.EVTCHNOP_reset, b))),
                Tuple.of(1, setPriority.map(b -> Tuple.of(EvtchnH.EVTCHNOP_set_priority, b))),
                Tuple.of(1, Arbitraries.integers().between(14, 40).map(c -> Tuple.of(c, new byte[24]))));
        return Combinators.combine(op, pointer())
                .as((o, ptr) -> make(abi, XenHypercall.EVENT_CHANNEL_OP, o.get1(), ptr, o.get2()));
    }

    static Arbitrary<FuzzCall> xenVersion(Abi abi) {
        Arbitrary<Integer> cmd = Arbitraries.frequencyOf(
                Tuple.of(10, Arbitraries.integers().between(0, 10)),
                Tuple.of(1, Arbitraries.of(11, 12, 0x7fffffff, -1)));
        Arbitrary<Integer> submapIdx = Arbitraries.of(0, 1, -1);
        return Combinators.combine(cmd, pointer(), submapIdx)
                .as((c, ptr, idx) -> make(abi, XenHypercall.XEN_VERSION, c, ptr,
                        c == 6 ? new XenFeatureInfo(idx, 0).encode(abi) : new byte[0]));
    }

    static Arbitrary<FuzzCall> consoleIo(Abi abi) {
        Arbitrary<Integer> cmd = Arbitraries.of(0, 1, 2, 0x7fffffff);
        Arbitrary<Integer> count = Arbitraries.of(0, 1, 5, 24, 127, 128, 200);
        Arbitrary<String> text = Arbitraries.strings().withChars("hcdiff \t\n\u0007~").ofMaxLength(200);
        return Combinators.combine(cmd, count, text, pointer())
                .as((c, n, s, ptr) -> new FuzzCall(abi, XenHypercall.CONSOLE_IO.number(),
                        new long[]{c, n, ptr, 0, 0, 0}, s.getBytes(StandardCharsets.US_ASCII)));
    }

    static Arbitrary<FuzzCall> schedOp(Abi abi) {
        Arbitrary<FuzzCall> yield = pointer().map(p -> make(abi, XenHypercall.SCHED_OP, 0, p, new byte[0]));
        Arbitrary<FuzzCall> shutdownCode = Arbitraries.of(0, 1, 3, 5, 255)
                .map(r -> make(abi, XenHypercall.SCHED_OP, 5, FuzzCall.ARG_GPA, new SchedShutdown(r).encode(abi)));
        Arbitrary<FuzzCall> remoteShutdown = Combinators.combine(domid(), Arbitraries.of(0, 3))
                .as((d, r) -> make(abi, XenHypercall.SCHED_OP, 4, FuzzCall.ARG_GPA, new SchedRemoteShutdown(d, r).encode(abi)));
        Arbitrary<FuzzCall> watchdog = Combinators.combine(Arbitraries.of(0, 1, 2, 3), Arbitraries.of(0, 1, 30))
                .as((id, t) -> make(abi, XenHypercall.SCHED_OP, 6, FuzzCall.ARG_GPA, new SchedWatchdog(id, t).encode(abi)));
        Arbitrary<FuzzCall> other = Arbitraries.of(7, 8, 100, -1)
                .map(c -> make(abi, XenHypercall.SCHED_OP, c, FuzzCall.ARG_GPA, new byte[8]));
        return Arbitraries.frequencyOf(Tuple.of(5, yield), Tuple.of(2, shutdownCode), Tuple.of(1, remoteShutdown),
                Tuple.of(2, watchdog), Tuple.of(1, other));
    }

    /** Numbers Xen does not serve for HVM (PV-only, obsolete, unused) and some it does but we do not model. */
    static Arbitrary<FuzzCall> otherNumber(Abi abi) {
        Arbitrary<Long> number = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, 63)),
                Tuple.of(1, Arbitraries.of(64L, 1000L, 0xffffffffL)));
        return Combinators.combine(number, Arbitraries.longs().between(0, 16), pointer())
                .as((n, a0, ptr) -> new FuzzCall(abi, n, new long[]{a0, ptr, 0, 0, 0, 0}, new byte[64]));
    }
}
