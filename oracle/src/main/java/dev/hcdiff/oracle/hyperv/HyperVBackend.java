package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.backend.NullHandler;
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

import java.util.SortedMap;

/**
 * The Hyper-V personality as a {@link Backend} named {@code hyperv}: serves Hyper-V hypercalls
 * ({@link Abi#HV64}: {@code call} = input value, {@code arg(0)} = RDX, {@code arg(1)} = R8), the
 * hypervisor CPUID leaves, the synthetic MSRs and the platform's 0xE9 debug console
 * ({@link DebugConsole}) from one {@link HvPartition}. Each request first fires the requesting
 * VP's synthetic timers that are due at {@code nowNs} ({@link HvPartition#expireTimers(int, long,
 * GuestMemory, java.util.function.Consumer, java.util.function.Consumer)}); an MSR write fires them
 * again after it, so a one-shot armed in the past or an EOM's retry shows in the write's
 * observation. Timer arming is reported as {@code TimerArm("stimer<n>", deadline ns, period ns)}.
 * A hypercall that raises #UD (kvm: fast XMM-input calls) has the fault and no returns.
 */
public final class HyperVBackend implements Backend {

    /** The backend name reports and journal headers use. */
    public static final String NAME = "hyperv";

    private final HvPartition partition;

    public HyperVBackend(HvConfig config) {
        this.partition = new HvPartition(config);
    }

    /** The partition served, for tests and for issue 4's extensions. */
    public HvPartition partition() {
        return partition;
    }

    /** The partition's earliest armed synthetic timer ({@link HvPartition#nextTimerDeadlineNs()}). */
    @Override
    public java.util.OptionalLong nextDeadlineNs() {
        return partition.nextTimerDeadlineNs();
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public SortedMap<String, String> configuration() {
        return partition.config().toMap();
    }

    /**
     * @throws IllegalArgumentException for a Xen-ABI hypercall (a Hyper-V partition has no Xen
     *                                  calling convention) or a vCPU the partition lacks
     */
    @Override
    public Observation serve(GuestRequest request, GuestMemory memory, long nowNs) {
        if (request.vcpu() < 0 || request.vcpu() >= partition.vcpus()) {
            throw new IllegalArgumentException("request from vCPU " + request.vcpu() + ", but hyperv.vcpus="
                    + partition.vcpus());
        }
        Observation.Builder out = Observation.builder();
        // The requesting VP's timers due since its last request fire first, on the virtual clock:
        // KVM (kvm_hv_process_stimers() on the timer vCPU's entry) and Xen (viridian_time_poll_timers(),
        // "in context of the vcpu receiving the message") write a timer message from its own vCPU.
        partition.expireTimers(request.vcpu(), nowNs, memory, out::interrupt, out::timer);
        switch (request) {
            case Hypercall h -> {
                if (h.abi() != Abi.HV64) {
                    throw new IllegalArgumentException("the hyperv backend serves hv64 hypercalls only, got "
                            + h.abi().textName() + " call " + h.call());
                }
                HvCallResult r = partition.call(h.vcpu(), h.call(), h.arg(0), h.arg(1), memory, out::interrupt);
                long result = r.value();
                if (r.faulted()) {
                    out.fault(r.fault());
                } else {
                    out.returns(result);
                }
                int code = (int) (h.call() & 0xffff);
                String name = HvCallCode.byCode(code).map(HvCallCode::tlfsName).orElse(String.format("hvcall/0x%x", code));
                if (HvCallCode.byCode(code).isPresent() && !HvPartition.models(code)) {
                    out.trail(Observation.UNMODELLED); // a TLFS call this model does not implement yet (issue 4)
                }
                out.trail(r.faulted() ? String.format("%s(input=0x%x) -> #%s", name, h.call(), r.fault())
                        : String.format("%s(input=0x%x) -> 0x%x %s", name, h.call(), result,
                        HvStatus.name(HvStatus.statusOf(result))));
            }
            case CpuidQuery q -> {
                int[] r = partition.cpuid(q.leaf(), q.subleaf());
                out.returns(Integer.toUnsignedLong(r[0]), Integer.toUnsignedLong(r[1]),
                        Integer.toUnsignedLong(r[2]), Integer.toUnsignedLong(r[3]));
            }
            case MsrRead r -> {
                MsrResult m = partition.rdmsr(r.vcpu(), r.index(), nowNs);
                if (m.faulted()) {
                    out.fault(m.fault());
                } else {
                    out.returns(m.value());
                }
            }
            case MsrWrite w -> {
                MsrResult m = partition.wrmsr(w.vcpu(), w.index(), w.value(), memory, nowNs, out::timer);
                out.fault(m.faulted() ? m.fault() : Fault.NONE);
                // A one-shot armed in the past, or an EOM's retry, is delivered before the guest resumes
                // (KVM processes KVM_REQ_HV_STIMER on the next entry).
                partition.expireTimers(w.vcpu(), nowNs, memory, out::interrupt, out::timer);
            }
            case PortRead r -> out.returns(DebugConsole.in(r.port(), r.size()));
            case PortWrite w -> out.console(DebugConsole.out(w.port(), w.size(), w.value()));
            // Nothing is emulated in the MMIO hole yet: an empty bus (the LAPIC and IOAPIC come with issue 3).
            case MmioRead m -> out.returns(NullHandler.read(m.size()));
            case MmioWrite m -> { }
            // SIEF and SIM pages are guest RAM that "behaves like RAM" (TLFS "SIEF"); the model keeps
            // no copy of them, so a guest write changes no model state.
            case GuestWrite g -> {
            }
        }
        return out.build();
    }
}
