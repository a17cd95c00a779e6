package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.hyperv.DebugConsole;
import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.hyperv.MsrResult;
import dev.hcdiff.trace.abi.HvCallCode;
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

import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * A Hyper-V-enlightened guest on Xen, served the way Xen's viridian serves it: the backend named
 * {@code hyperv-on-xen}. A port of {@code xen/arch/x86/hvm/viridian/} (Xen 4.17.7) onto the
 * reference Xen model, which stays underneath with its leaves at 0x40000100 and its hypercall-page
 * MSR at 0x40000200, as in a real viridian domain.
 *
 * <p>Answers:
 * <ul>
 *   <li>{@link Hypercall} HV64 ({@code call} = RCX, {@code arg(0)} = RDX, {@code arg(1)} = R8):
 *       {@link ViridianHypercalls}, {@code returns = {rax}}; Xen ABIs (the page's calls without
 *       EAX bit 31): the Xen model;</li>
 *   <li>{@link CpuidQuery}: 0x40000000–0x400000FF {@link ViridianCpuid}, the rest the Xen model
 *       (Xen's leaves at 0x40000100, zeros elsewhere);</li>
 *   <li>{@link MsrRead}/{@link MsrWrite}: 0x40000000–0x400001FF {@link ViridianMsrs}, the rest the
 *       Xen model (its page MSR at 0x40000200, #GP elsewhere);</li>
 *   <li>{@link PortRead}/{@link PortWrite}: the platform's 0xE9 debug console, as the {@code hyperv}
 *       backend serves it ({@link DebugConsole});</li>
 *   <li>{@link MmioRead}/{@link MmioWrite}, {@link GuestWrite}: the Xen model (its vLAPICs, on which
 *       viridian's APIC MSRs, IPIs and SINTs act: a vLAPIC the guest has not software-enabled
 *       receives no IPI and no SINT, {@code send_ipi()}, {@code viridian_synic_deliver_timer_msg()}).</li>
 * </ul>
 * Synthetic timers run on Xen timers: an expiry due by a request's time fires before it; the
 * kicked vCPU places its message as it re-enters the guest, modelled as before its own next
 * request is served; one that expires during an MSR write is placed as the caller resumes.
 * Deterministic and single-threaded.
 */
public final class HyperVOnXen implements Backend {

    /** The backend name reports and journal headers use. */
    public static final String NAME = "hyperv-on-xen";

    private final ViridianDomain domain;
    private final ViridianCpuid cpuid;
    private final ViridianMsrs msrs;
    private final ViridianTime time;
    private final ViridianHypercalls hypercalls;

    public HyperVOnXen(ViridianConfig config) {
        this.domain = new ViridianDomain(config);
        ViridianSynic synic = new ViridianSynic(domain);
        this.time = new ViridianTime(domain, synic);
        this.cpuid = new ViridianCpuid(domain);
        this.msrs = new ViridianMsrs(domain, synic, time);
        this.hypercalls = new ViridianHypercalls(domain);
    }

    /**
     * Built from configuration entries ({@link ViridianConfig#fromMap}).
     *
     * @throws IllegalArgumentException for an unknown key or a bad value, naming it
     */
    public static HyperVOnXen fromConfiguration(Map<String, String> config) {
        return new HyperVOnXen(ViridianConfig.fromMap(config));
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SortedMap<String, String> configuration() {
        return domain.config.toMap();
    }

    /**
     * The earliest deadline of a started synthetic timer's Xen timer ({@code vs->timer}, not yet
     * fired: {@code stimer_expire()} sets it to "none") or of the Xen domain's own timers.
     */
    @Override
    public java.util.OptionalLong nextDeadlineNs() {
        long next = domain.xen.nextDeadlineNs().orElse(Long.MAX_VALUE);
        for (ViridianVcpu vv : domain.vcpus) {
            for (ViridianStimer vs : vv.stimer) {
                if (vs.started && vs.deadlineNs < next) {
                    next = vs.deadlineNs;
                }
            }
        }
        return next == Long.MAX_VALUE ? java.util.OptionalLong.empty() : java.util.OptionalLong.of(next);
    }

    /** Xen's shared_info page while the guest has it mapped (the SIM page is read when a message is placed). */
    @Override
    public SortedSet<Long> ownedPages() {
        return domain.xen.ownedPages();
    }

    /** {@code d->shutdown_code} as CRASH_CTL left it, or -1. */
    public int shutdownCode() {
        return domain.shutdownCode;
    }

    /** A crash reported through CRASH_CTL.CrashNotify: the vCPU and its CRASH_P0–P4 ("VIRIDIAN CRASH" log line). */
    public record Crash(int vcpu, List<Long> params) {
        public Crash {
            params = List.copyOf(params);
        }
    }

    /** Crashes reported so far, in order. */
    public List<Crash> crashes() {
        return List.copyOf(domain.crashes);
    }

    /**
     * @throws IllegalArgumentException for a vCPU the domain lacks
     */
    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        if (request.vcpu() < 0 || request.vcpu() >= domain.vcpus.length) {
            throw new IllegalArgumentException("request from vCPU " + request.vcpu() + ", but hyperv.vcpus="
                    + domain.vcpus.length);
        }
        Observation.Builder out = Observation.builder();
        Call c = new Call(request.vcpu(), nowNs, memory, out);
        // A Xen timer that fired kicked its vCPU (stimer_expire -> vcpu_kick), which places the message
        // "in context of the vcpu receiving the message" (viridian_synic_deliver_timer_msg) as it
        // re-enters the guest: in the model, before that vCPU's next request is served, the
        // convention the hyperv backend follows (HyperVBackend.serve).
        time.expireDue(nowNs);
        time.pollTimers(c);
        switch (request) {
            case Hypercall h when h.abi() == Abi.HV64 -> hypercall(c, h);
            case CpuidQuery q when ViridianCpuid.owns(q.leaf()) -> {
                int[] r = cpuid.leaf(q.leaf());
                out.returns(Integer.toUnsignedLong(r[0]), Integer.toUnsignedLong(r[1]),
                        Integer.toUnsignedLong(r[2]), Integer.toUnsignedLong(r[3]));
            }
            case MsrRead r when ViridianMsr.inWindow(r.index()) -> {
                MsrResult m = msrs.rdmsr(c, r.index());
                if (m.faulted()) {
                    out.fault(m.fault());
                } else {
                    out.returns(m.value());
                }
            }
            case MsrWrite w when ViridianMsr.inWindow(w.index()) -> {
                MsrResult m = msrs.wrmsr(c, w.index(), w.value());
                out.fault(m.faulted() ? m.fault() : Fault.NONE);
            }
            case PortRead r -> out.returns(DebugConsole.in(r.port(), r.size()));
            case PortWrite w -> out.console(DebugConsole.out(w.port(), w.size(), w.value()));
            default -> copy(domain.xen.serve(request, memory, nowNs), out);
        }
        // A one-shot already due when armed expired during the request: delivered as the vCPU resumes.
        time.pollTimers(c);
        return out.build();
    }

    private void hypercall(Call c, Hypercall h) {
        long result = hypercalls.hypercall(c, h.call(), h.arg(0), h.arg(1));
        c.out().returns(result);
        int code = (int) (h.call() & 0xffff);
        String name = HvCallCode.byCode(code).map(HvCallCode::tlfsName).orElse(String.format("hvcall/0x%x", code));
        c.out().trail(String.format("%s(input=0x%x) -> 0x%x %s", name, h.call(), result,
                HvStatus.name(HvStatus.statusOf(result))));
    }

    /** What the Xen model observed, into this request's observation (its writes are logged by the caller). */
    private static void copy(Observation o, Observation.Builder out) {
        out.returns(o.returns()).fault(o.fault()).vcpu(o.vcpu()).shutdown(o.shutdown()).console(o.console());
        o.eventsPending().forEach(out::eventPending);
        o.interrupts().forEach(out::interrupt);
        o.timers().forEach(out::timer);
        o.trail().forEach(out::trail);
    }
}
