package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.backend.NullHandler;
import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.oracle.xen.dispatch.EventChannelOpDispatcher;
import dev.hcdiff.oracle.xen.dispatch.HvmHypercalls;
import dev.hcdiff.oracle.xen.dispatch.SchedOpDispatcher;
import dev.hcdiff.oracle.xen.platform.CpuidLeaves;
import dev.hcdiff.oracle.xen.platform.IoPorts;
import dev.hcdiff.oracle.xen.platform.XenMsrs;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;

import java.util.OptionalLong;
import java.util.SortedMap;

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
 *   <li>{@link MsrRead}/{@link MsrWrite}: the hypercall-page MSR, #GP for everything else
 *       ({@link XenMsrs}).</li>
 *   <li>{@link PortRead}/{@link PortWrite}: the 0xE9 console and the null handler
 *       ({@link IoPorts}).</li>
 *   <li>{@link GuestWrite}: applied to the shared_info page if it is mapped; empty returns.</li>
 * </ul>
 * Deterministic: time only from {@code nowNs}, no hash-order output. Not thread-safe.
 */
public final class XenBackend implements Backend {

    private final XenConfig config;
    private final XenDomain domain;
    private final CpuidLeaves cpuid;
    private final XenMsrs msrs;
    private final IoPorts ports;
    private final HvmHypercalls hypercalls;
    private final EventChannels eventChannels;

    public XenBackend(XenConfig config) {
        this.config = config;
        this.domain = new XenDomain(config);
        String[] v = config.version().split("\\.");
        this.cpuid = new CpuidLeaves(config.cpuidBase(), Integer.parseInt(v[0]), Integer.parseInt(v[1]),
                config.tscKhz(), config.domid());
        this.msrs = new XenMsrs(cpuid.msrBase(), config.vendor(), domain.sharedInfo());
        this.ports = new IoPorts(domain.console());
        this.eventChannels = new EventChannels(domain);
        this.hypercalls = new HvmHypercalls(
                new EventChannelOpDispatcher(eventChannels),
                new SchedOpDispatcher(new SchedOp(domain, eventChannels)),
                new XenVersion(domain), new ConsoleIo(domain), new MiscHypercalls(domain),
                config.cpuidBase() == CpuidH.XEN_CPUID_VIRIDIAN_BASE);
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
        switch (request) {
            case Hypercall h -> hypercall(new Current(v, h.abi(), nowNs, out), h, memory);
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
            case MsrWrite w -> out.fault(msrs.write(w.index(), w.value(), memory));
            case PortRead p -> out.returns(ports.read(p.port(), p.size()));
            case PortWrite p -> out.console(ports.write(p.port(), p.size(), p.value()));
            // Nothing is emulated in the MMIO hole yet: an empty bus (the LAPIC and IOAPIC come with issue 3).
            case MmioRead m -> out.returns(NullHandler.read(m.size()));
            case MmioWrite m -> { }
            case GuestWrite g -> domain.sharedInfo().applyGuestWrite(g.chunk());
        }
        try {
            domain.sharedInfo().flush(memory);
        } catch (GuestFault f) {
            throw new IllegalStateException("shared_info mapped outside guest RAM: " + f.getMessage(), f);
        }
        return out.build();
    }

    private void hypercall(Current current, Hypercall h, GuestMemory memory) {
        if (h.abi() == Abi.HV64) {
            throw new IllegalArgumentException("the xen backend serves Xen hypercalls (xen64, xen32), not hv64");
        }
        long rc = hypercalls.hvmHypercall(current, h, memory);
        if (rc == SchedOpDispatcher.NO_RETURN) {
            return;
        }
        current.observed().returns(h.abi() == Abi.XEN32 ? rc & 0xffffffffL : rc);
    }
}
