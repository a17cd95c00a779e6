package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.backend.NullHandler;
import dev.hcdiff.oracle.toolstack.Toolstack;
import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.oracle.xen.dispatch.EventChannelOpDispatcher;
import dev.hcdiff.oracle.xen.dispatch.HvmHypercalls;
import dev.hcdiff.oracle.xen.dispatch.HvmOpDispatcher;
import dev.hcdiff.oracle.xen.dispatch.MemoryOpDispatcher;
import dev.hcdiff.oracle.xen.dispatch.SchedOpDispatcher;
import dev.hcdiff.oracle.xen.dispatch.VcpuOpDispatcher;
import dev.hcdiff.oracle.xen.platform.CpuidLeaves;
import dev.hcdiff.oracle.xen.platform.IoPorts;
import dev.hcdiff.oracle.xen.platform.Vioapic;
import dev.hcdiff.oracle.xen.platform.Vlapic;
import dev.hcdiff.oracle.xen.platform.XenMsrs;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.VcpuState;

import java.util.Collections;
import java.util.OptionalLong;
import java.util.SortedMap;
import java.util.SortedSet;
import java.util.TreeSet;

/**
 * The reference Xen: Debian 12's Xen 4.17.7 as an HVM domU meets it (design.md, "The central
 * contract"), built from {@code ../shared/docs/xen-abi.md} and the Xen source cited on each method.
 *
 * <p>Answers:
 * <ul>
 *   <li>{@link Hypercall} (XEN64/XEN32): {@code returns = {rax}}. Under XEN64 rax is the handler's
 *       long result (-22 is -22L, i.e. 0xffffffffffffffea); under XEN32 Xen writes eax only, so the
 *       value is the result truncated to 32 bits and zero-extended ({@code (int) rc & 0xffffffffL},
 *       -22 → 0xffffffea). A call that never returns (SCHEDOP_shutdown) has empty returns. A
 *       hypercall the model does not implement returns -ENOSYS with the trail entry exactly
 *       {@value Current#UNMODELLED}. HV64 hypercalls are a caller error.</li>
 *   <li>{@link CpuidQuery}: {eax, ebx, ecx, edx} ({@link CpuidLeaves}).</li>
 *   <li>{@link MsrRead}/{@link MsrWrite}: the hypercall-page MSR (the write latches the
 *       shared_info layout from {@link MsrWrite#mode()}), #GP for everything else
 *       ({@link XenMsrs}).</li>
 *   <li>{@link PortRead}/{@link PortWrite}: the 0xE9 console and the null handler
 *       ({@link IoPorts}).</li>
 *   <li>{@link MmioRead}/{@link MmioWrite}: the calling vCPU's vLAPIC page at 0xFEE00000
 *       ({@link Vlapic}), the vIOAPIC window at 0xFEC00000 ({@link Vioapic}, not for
 *       {@code xl-pvh}: PVH has no vIOAPIC); the rest of the hole
 *       is the null handler (all ones, writes dropped). The HPET is absent (issue 3's contract).</li>
 *   <li>{@link GuestWrite}: applied to the shared_info page if it is mapped; empty returns.</li>
 * </ul>
 * Before the first request, the toolstack's introduction writes the xenstore ring's
 * server_features. After a request, dom0's daemons run for every dom0 port the guest signalled
 * ({@link Toolstack}), inside the same observation; then Xen's changes to shared_info are written to guest memory.
 * Time: vcpu_time_info is refreshed at creation, once per virtual second and after the vCPU
 * blocked ({@link XenDomain}). Timers (set_timer_op, vcpu_op's single-shot and periodic timers,
 * {@link XenTimers}) fire at the start of each request whose {@code nowNs} has reached them, before
 * the request itself is served; {@link #nextDeadlineNs()} says when the next one is due.
 * Deterministic: time only from {@code nowNs}, no hash-order output.
 * Not thread-safe.
 */
public final class XenBackend implements Backend {

    private final XenConfig config;
    private final XenDomain domain;
    private final CpuidLeaves cpuid;
    private final XenMsrs msrs;
    private final IoPorts ports;
    private final HvmHypercalls hypercalls;
    private final EventChannels eventChannels;
    private final VcpuOp vcpuOp;
    /** Whether the toolstack's introduction has reached guest memory (at the first request). */
    private boolean introduced;

    public XenBackend(XenConfig config) {
        this.config = config;
        this.domain = new XenDomain(config);
        String[] v = config.version().split("\\.");
        this.cpuid = new CpuidLeaves(config.cpuidBase(), Integer.parseInt(v[0]), Integer.parseInt(v[1]),
                config.tscKhz(), config.domid());
        this.msrs = new XenMsrs(cpuid.msrBase(), config.vendor(), domain.sharedInfo());
        this.ports = new IoPorts(domain.console());
        this.eventChannels = new EventChannels(domain);
        domain.bindToolstackPorts(eventChannels);
        this.vcpuOp = new VcpuOp(domain, new XenTimers(domain));
        this.hypercalls = new HvmHypercalls(
                new EventChannelOpDispatcher(eventChannels),
                new SchedOpDispatcher(new SchedOp(domain, eventChannels)),
                new MemoryOpDispatcher(new MemoryOp(domain)),
                new HvmOpDispatcher(new HvmOp(domain)),
                new XenVersion(domain), new ConsoleIo(domain), new MiscHypercalls(domain),
                new VcpuOpDispatcher(vcpuOp),
                config.cpuidBase() == CpuidH.XEN_CPUID_VIRIDIAN_BASE);
    }

    /** The shared_info page while the guest has it mapped. */
    @Override
    public SortedSet<Long> ownedPages() {
        long gpa = domain.sharedInfo().mappedGpa();
        if (gpa < 0) {
            return Collections.emptySortedSet();
        }
        TreeSet<Long> s = new TreeSet<>();
        s.add(gpa);
        return Collections.unmodifiableSortedSet(s);
    }

    @Override
    public String name() {
        return "xen";
    }

    @Override
    public SortedMap<String, String> configuration() {
        return config.toMap();
    }

    /** The domain's state, for tests, reports and the fuzzer's invariants. */
    public XenDomain domain() {
        return domain;
    }

    /** The vCPUs' timers, for tests and reports. */
    public XenTimers timers() {
        return vcpuOp.timers();
    }

    /**
     * When the next Xen timer is due (ns of virtual time), or empty: the Xen timers are this
     * personality's only deadlines ({@link XenTimers#nextDeadlineNs()}); a recorder whose guest
     * halts serves a request at that time to let it fire.
     */
    @Override
    public java.util.OptionalLong nextDeadlineNs() {
        return vcpuOp.timers().nextDeadlineNs();
    }

    /** The event-channel sub-ops, for tests that drive them without guest memory. */
    public EventChannels eventChannels() {
        return eventChannels;
    }

    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        if (request.vcpu() < 0 || request.vcpu() >= domain.maxVcpus()) {
            throw new IllegalArgumentException("request from vCPU " + request.vcpu() + ", but xen.vcpus="
                    + domain.maxVcpus());
        }
        Observation.Builder out = Observation.builder();
        XenVcpu v = domain.vcpu(request.vcpu());
        Current current = new Current(v, request instanceof Hypercall h ? h.abi() : Abi.XEN64, nowNs, out);
        // Timers due by now fire first (XenTimers: the periodic work precedes the context switch's time update).
        vcpuOp.running(v.vcpuId());
        vcpuOp.timers().expire(current);
        domain.refreshTime(v, nowNs);
        introduceOnce(memory);
        switch (request) {
            case Hypercall h -> hypercall(current, h, memory);
            case CpuidQuery q -> {
                int[] r = cpuid.query(q.vcpu(), q.leaf(), q.subleaf());
                out.returns(r[0] & 0xffffffffL, r[1] & 0xffffffffL, r[2] & 0xffffffffL, r[3] & 0xffffffffL);
            }
            case MsrRead r -> {
                OptionalLong value = msrs.read(r.index());
                if (value.isPresent()) {
                    out.returns(value.getAsLong());
                } else {
                    out.fault(Fault.GP);
                }
            }
            case MsrWrite w -> out.fault(msrs.write(w.index(), w.value(), w.mode(), memory));
            case PortRead p -> out.returns(ports.read(p.port(), p.size()));
            case PortWrite p -> out.console(ports.write(p.port(), p.size(), p.value()));
            case MmioRead m -> out.returns(mmioRead(v, m));
            case MmioWrite m -> mmioWrite(current, v, m);
            case GuestWrite g -> domain.sharedInfo().applyGuestWrite(g.chunk());
        }
        runToolstack(current, memory);
        try {
            domain.sharedInfo().flush(memory);
        } catch (GuestFault f) {
            // The guest mapped shared_info where the recorder has no RAM: Xen's page is there, but
            // nothing the model writes can reach the guest's view.
            out.trail("shared_info at 0x" + Long.toHexString(domain.sharedInfo().mappedGpa())
                    + " is not guest RAM here: " + f.getMessage());
        }
        Observation o = out.build();
        if (o.vcpu().run() == VcpuState.Run.BLOCKED) {
            v.wasBlocked = true;
        }
        return o;
    }

    /**
     * xs_introduce_domain() happens before the domain first runs, and oxenstored then writes the
     * ring's server_features ({@link Toolstack#introduce}); the model has guest memory only while
     * serving, so the write lands in the first request's observation.
     */
    private void introduceOnce(GuestMemory memory) {
        if (!introduced && domain.toolstack() != null) {
            domain.toolstack().introduce(memory);
        }
        introduced = true;
    }

    /** dom0's daemons serve the ports the guest signalled; their notifications come back as events. */
    private void runToolstack(Current current, GuestMemory memory) {
        Toolstack ts = domain.toolstack();
        for (int port : domain.takeDom0Kicks()) {
            if (ts == null) {
                continue;
            }
            Toolstack.Kicked k = ts.kick(port, memory, p -> eventChannels.dom0Send(current, p));
            current.observed().console(k.console());
        }
    }

    /** The vLAPIC of the calling vCPU, the vIOAPIC (not for PVH: has_vioapic()), else the null handler. */
    private long mmioRead(XenVcpu v, MmioRead m) {
        if (Vlapic.inRange(m.gpa())) {
            return v.vlapic().read(m.gpa(), m.size());
        }
        if (Vioapic.inRange(m.gpa()) && domain.hasVioapic()) {
            return domain.vioapic().read(m.gpa(), m.size());
        }
        return NullHandler.read(m.size());
    }

    /**
     * The vLAPIC (software-enabling it re-raises a pending upcall vector: vlapic_reg_write()
     * APIC_SPIV), the vIOAPIC (HVM only), else dropped.
     */
    private void mmioWrite(Current current, XenVcpu v, MmioWrite m) {
        if (Vlapic.inRange(m.gpa())) {
            boolean enabled = v.vlapic().write(m.gpa(), m.size(), m.value());
            if (enabled && v.evtchnUpcallVector() != 0 && domain.sharedInfo().upcallPending(v.vcpuId())) {
                current.observed().interrupt(new Interrupt(v.vcpuId(), v.evtchnUpcallVector(), "upcall"));
            }
        } else if (Vioapic.inRange(m.gpa()) && domain.hasVioapic()) {
            domain.vioapic().write(m.gpa(), m.size(), m.value());
        }
    }

    private void hypercall(Current current, Hypercall h, GuestMemory memory) {
        if (h.abi() == Abi.HV64) {
            throw new IllegalArgumentException("the xen backend serves Xen hypercalls (xen64, xen32), not hv64");
        }
        boolean wasDown = domain.isShuttingDown();
        long rc = hypercalls.hvmHypercall(current, h, memory);
        // A call that shut the domain down (SCHEDOP_shutdown, a domain_crash) never returns.
        if (rc == SchedOpDispatcher.NO_RETURN || (!wasDown && domain.isShuttingDown())) {
            return;
        }
        current.observed().returns(h.abi() == Abi.XEN32 ? rc & 0xffffffffL : rc);
    }
}
