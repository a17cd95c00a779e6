package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.EventChannelTable.Channel;
import dev.hcdiff.oracle.xen.abi.EvtchnStatus;
import dev.hcdiff.oracle.xen.abi.XenH;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNSTAT_closed;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNSTAT_interdomain;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNSTAT_ipi;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNSTAT_unbound;
import static dev.hcdiff.oracle.xen.abi.EvtchnH.EVTCHNSTAT_virq;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EEXIST;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSPC;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Random event-channel op sequences against a small reference written from xen-abi.md §5.3 (lowest
 * free port from 1, 64-port buckets that never shrink, the per-op errno order, pending 0→1): after
 * every op the result must match, port 0 stays reserved, the table holds exactly the reference's
 * ports with the status the ops imply, and no port exceeds {@code max_evtchn_port}.
 */
class EventChannelProperties {

    private static final int SELF = 1;
    private static final int VCPUS = 2;

    sealed interface Op permits Alloc, BindVirq, BindIpi, Loopback, Close, Send, Unmask, BindVcpu, Reset {
    }

    record Alloc(int remote) implements Op {
    }

    record BindVirq(int virq, int vcpu) implements Op {
    }

    record BindIpi(int vcpu) implements Op {
    }

    record Loopback(int remotePort) implements Op {
    }

    record Close(int port) implements Op {
    }

    record Send(int port) implements Op {
    }

    record Unmask(int port) implements Op {
    }

    record BindVcpu(int port, int vcpu) implements Op {
    }

    record Reset() implements Op {
    }

    @Provide
    Arbitrary<List<Op>> ops() {
        Arbitrary<Integer> port = Arbitraries.integers().between(0, 75).shrinkTowards(1);
        Arbitrary<Integer> vcpu = Arbitraries.integers().between(0, VCPUS);
        Arbitrary<Op> op = Arbitraries.frequencyOf(
                Tuple.of(6, Arbitraries.of(XenH.DOMID_SELF, 0, 77).map(Alloc::new)),
                Tuple.of(3, Combinators.combine(Arbitraries.integers().between(-1, 25), vcpu).as(BindVirq::new)),
                Tuple.of(3, vcpu.map(BindIpi::new)),
                Tuple.of(3, port.map(Loopback::new)),
                Tuple.of(4, port.map(Close::new)),
                Tuple.of(4, port.map(Send::new)),
                Tuple.of(2, port.map(Unmask::new)),
                Tuple.of(2, Combinators.combine(port, vcpu).as(BindVcpu::new)),
                Tuple.of(1, Arbitraries.just(new Reset())));
        return op.list().ofMaxSize(80);
    }

    @Provide
    Arbitrary<Integer> maxPorts() {
        return Arbitraries.of(3, 70, 1023);
    }

    /**
     * The per-vCPU VIRQs, as xen-abi.md §5.3 lists them: TIMER 0, DEBUG 1, XENOPROF 7, XENPMU 13
     * ({@code xen/common/event_channel.c: virq_is_global()}); bind_vcpu refuses them (-EINVAL).
     */
    private static boolean perVcpuVirq(int virq) {
        return virq == 0 || virq == 1 || virq == 7 || virq == 13;
    }

    /** What the reference expects of one port. */
    private record Ref(int status, int vcpu, int remoteDom, int peer, int virq) {
    }

    @Property(tries = 300, seed = "20261125")
    void tableMatchesTheReferenceAfterEveryOp(@ForAll("ops") List<Op> ops, @ForAll("maxPorts") int maxPort) {
        XenConfig d = XenConfig.defaults();
        TestGuest g = new TestGuest(new XenConfig(d.version(), d.build(), SELF, VCPUS, d.vendor(), d.cpuidBase(),
                maxPort, d.tscKhz(), d.uuid()));
        Map<Integer, Ref> ports = new TreeMap<>();
        Set<Integer> pending = new HashSet<>();
        Set<List<Integer>> virqs = new HashSet<>(); // (vcpu, virq)
        int[] valid = {64};
        for (Op op : ops) {
            long want;
            List<Integer> wantPending = List.of();
            switch (op) {
                case Alloc a -> {
                    int p = lowestFree(ports, maxPort, valid);
                    want = p < 0 ? p : 0;
                    long got = g.allocUnbound(a.remote());
                    if (p > 0) {
                        assertEquals(p, got, "alloc_unbound port");
                        ports.put(p, new Ref(EVTCHNSTAT_unbound, 0, a.remote() == XenH.DOMID_SELF ? SELF : a.remote(), 0, 0));
                    } else {
                        assertEquals(want, got);
                    }
                    continue;
                }
                case BindVirq b -> {
                    boolean perVcpu = perVcpuVirq(b.virq());
                    if (b.virq() < 0 || b.virq() >= XenH.NR_VIRQS || (!perVcpu && b.vcpu() != 0)) {
                        want = -EINVAL;
                    } else if (b.vcpu() >= VCPUS) {
                        want = -ENOENT;
                    } else if (virqs.contains(List.of(b.vcpu(), b.virq()))) {
                        want = -EEXIST;
                    } else {
                        want = lowestFree(ports, maxPort, valid);
                        if (want > 0) {
                            ports.put((int) want, new Ref(EVTCHNSTAT_virq, b.vcpu(), 0, 0, b.virq()));
                            virqs.add(List.of(b.vcpu(), b.virq()));
                        }
                    }
                    assertEquals(want, g.bindVirq(b.virq(), b.vcpu()), op.toString());
                    continue;
                }
                case BindIpi b -> {
                    want = b.vcpu() >= VCPUS ? -ENOENT : lowestFree(ports, maxPort, valid);
                    if (want > 0) {
                        ports.put((int) want, new Ref(EVTCHNSTAT_ipi, b.vcpu(), 0, 0, 0));
                    }
                    assertEquals(want, g.bindIpi(b.vcpu()), op.toString());
                    continue;
                }
                case Loopback l -> {
                    int local = lowestFree(ports, maxPort, valid);
                    Ref r = ports.get(l.remotePort());
                    if (local < 0) {
                        want = local;
                    } else if (r == null || r.status() != EVTCHNSTAT_unbound || r.remoteDom() != SELF) {
                        want = -EINVAL;
                    } else {
                        want = local;
                        ports.put(l.remotePort(), new Ref(EVTCHNSTAT_interdomain, r.vcpu(), SELF, local, 0));
                        ports.put(local, new Ref(EVTCHNSTAT_interdomain, 0, SELF, l.remotePort(), 0));
                        if (pending.add(local)) {
                            wantPending = List.of(local);
                        }
                    }
                    assertEquals(want, g.bindInterdomain(XenH.DOMID_SELF, l.remotePort()), op.toString());
                }
                case Close c -> {
                    Ref r = ports.get(c.port());
                    if (r == null) {
                        want = -EINVAL;
                    } else {
                        want = 0;
                        free(ports, pending, virqs, c.port());
                    }
                    assertEquals(want, g.close(c.port()), op.toString());
                }
                case Send s -> {
                    Ref r = ports.get(s.port());
                    if (r == null || r.status() == EVTCHNSTAT_virq) {
                        want = -EINVAL;
                    } else {
                        want = 0;
                        int target = r.status() == EVTCHNSTAT_ipi ? s.port()
                                : r.status() == EVTCHNSTAT_interdomain ? r.peer() : -1;
                        if (target > 0 && pending.add(target)) {
                            wantPending = List.of(target);
                        }
                    }
                    assertEquals(want, g.send(s.port()), op.toString());
                }
                case Unmask u -> assertEquals(u.port() < valid[0] ? 0 : -EINVAL, g.unmask(u.port()), op.toString());
                case BindVcpu b -> {
                    Ref r = ports.get(b.port());
                    if (b.vcpu() >= VCPUS) {
                        want = -ENOENT;
                    } else if (b.port() >= valid[0] || r == null || r.status() == EVTCHNSTAT_ipi
                            || (r.status() == EVTCHNSTAT_virq && perVcpuVirq(r.virq()))) {
                        want = -EINVAL;
                    } else {
                        want = 0;
                        ports.put(b.port(), new Ref(r.status(), b.vcpu(), r.remoteDom(), r.peer(), r.virq()));
                    }
                    assertEquals(want, g.bindVcpu(b.port(), b.vcpu()), op.toString());
                }
                case Reset r -> {
                    for (int p : new ArrayList<>(ports.keySet())) {
                        free(ports, pending, virqs, p);
                    }
                    assertEquals(0, g.evtchnOp(10, new dev.hcdiff.oracle.xen.abi.EvtchnReset(XenH.DOMID_SELF)
                            .encode(dev.hcdiff.trace.record.Abi.XEN64)));
                }
            }
            assertEquals(wantPending, g.last.eventsPending(), op + " eventsPending");
            checkInvariants(g, ports, maxPort, valid[0]);
        }
        checkInvariants(g, ports, maxPort, valid[0]);
    }

    /** The lowest free port from 1 (growing the valid range as Xen's buckets do), or -ENOSPC. */
    private static int lowestFree(Map<Integer, Ref> ports, int maxPort, int[] valid) {
        for (int p = 1; p <= maxPort; p++) {
            if (!ports.containsKey(p)) {
                while (p >= valid[0]) {
                    valid[0] += 64;
                }
                return p;
            }
        }
        return -ENOSPC;
    }

    private static void free(Map<Integer, Ref> ports, Set<Integer> pending, Set<List<Integer>> virqs, int port) {
        Ref r = ports.remove(port);
        pending.remove(port);
        if (r.status() == EVTCHNSTAT_virq) {
            boolean perVcpu = perVcpuVirq(r.virq());
            virqs.remove(List.of(perVcpu ? r.vcpu() : 0, r.virq()));
        }
        if (r.status() == EVTCHNSTAT_interdomain && ports.containsKey(r.peer())) {
            Ref peer = ports.get(r.peer());
            ports.put(r.peer(), new Ref(EVTCHNSTAT_unbound, peer.vcpu(), SELF, 0, 0));
        }
    }

    private static void checkInvariants(TestGuest g, Map<Integer, Ref> ports, int maxPort, int valid) {
        EventChannelTable t = g.xen.domain().evtchn();
        assertEquals(valid, t.validEvtchns(), "valid_evtchns");
        List<Channel> inUse = t.inUse();
        assertEquals(0, inUse.getFirst().port(), "port 0 stays reserved");
        assertEquals(EventChannelTable.ChannelState.RESERVED, inUse.getFirst().state());
        assertEquals(ports.keySet(), new java.util.TreeSet<>(inUse.subList(1, inUse.size()).stream().map(Channel::port).toList()));
        for (Channel c : inUse) {
            assertTrue(c.port() <= maxPort || c.port() == 0, "port " + c.port() + " above max_evtchn_port");
        }
        assertEquals(EVTCHNSTAT_closed, g.status(0).status());
        for (var e : ports.entrySet()) {
            EvtchnStatus s = g.status(e.getKey());
            assertNotNull(s, "status of port " + e.getKey());
            Ref r = e.getValue();
            assertEquals(r.status(), s.status(), "status of port " + e.getKey());
            assertEquals(r.vcpu(), s.vcpu(), "vcpu of port " + e.getKey());
            switch (r.status()) {
                case EVTCHNSTAT_unbound -> assertEquals(r.remoteDom(), s.uDom());
                case EVTCHNSTAT_interdomain -> {
                    assertEquals(SELF, s.uDom());
                    assertEquals(r.peer(), s.uInterdomainPort());
                }
                case EVTCHNSTAT_virq -> assertEquals(r.virq(), s.uWord());
                default -> {
                }
            }
        }
        assertEquals(null, g.status(valid));
    }
}
