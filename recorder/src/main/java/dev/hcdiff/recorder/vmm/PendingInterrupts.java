package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.kvm.KvmRun;
import dev.hcdiff.recorder.kvm.VcpuFd;
import dev.hcdiff.recorder.transport.InterruptDelivery;
import dev.hcdiff.trace.record.Interrupt;

import java.lang.foreign.MemorySegment;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One vCPU's pending external interrupts, injected the way a VMM without an in-kernel irqchip
 * must (kvm.md; Linux Documentation/virt/kvm/api.rst, KVM_INTERRUPT and request_interrupt_window):
 * before each entry, when kvm_run says the vCPU can take an interrupt now
 * ({@code ready_for_interrupt_injection} and {@code if_flag}), one pending vector goes in with
 * {@code KVM_INTERRUPT} and is recorded as a {@code Delivery}; while any stays pending,
 * {@code request_interrupt_window} makes KVM exit ({@code KVM_EXIT_IRQ_WINDOW_OPEN}) as soon as
 * the guest can take the next.
 *
 * <p>Pending vectors behave like a local APIC's IRR (Intel SDM vol. 3 §10.8.3.1, §10.8.4): one
 * bit per vector, so a vector raised twice before its delivery is delivered once, and the
 * highest vector goes first. Only vectors 16–255 exist for a fixed interrupt (SDM §10.5.2:
 * 0–15 are illegal); an interrupt without a vector (a Xen GSI/INTx callback, vector -1) needs an
 * interrupt controller the recorder does not emulate, and one for another vCPU has no vCPU here:
 * both stay in the recorded observation only and are counted in {@link #undeliverable()}.
 */
public final class PendingInterrupts implements InterruptDelivery {

    /** SDM vol. 3 §10.5.2: vectors 0–15 are reserved; a fixed interrupt uses 16–255. */
    static final int FIRST_VECTOR = 16;
    static final int LAST_VECTOR = 255;

    /** What injection needs from the vCPU: kvm_run's flags and KVM_INTERRUPT. */
    public interface Port {
        /** kvm_run after the last exit: the guest takes an interrupt injected at the next entry. */
        boolean canTakeInterrupt();

        /** KVM_INTERRUPT with {@code vector}. */
        void inject(int vector);

        /** Sets kvm_run.request_interrupt_window for the next entry. */
        void requestWindow(boolean on);
    }

    /** Where each injection is recorded. */
    public interface Deliveries {
        void delivered(int vcpu, int vector, String source);
    }

    private final int vcpu;
    private final Port port;
    private final Deliveries deliveries;
    /** Vector → the source of its first raise while pending. */
    private final TreeMap<Integer, String> pending = new TreeMap<>();
    private long undeliverable;

    public PendingInterrupts(int vcpu, Port port, Deliveries deliveries) {
        this.vcpu = vcpu;
        this.port = port;
        this.deliveries = deliveries;
    }

    /** The port of a real vCPU: its kvm_run page and KVM_INTERRUPT. */
    public static Port kvm(VcpuFd fd) {
        MemorySegment run = fd.kvmRun();
        return new Port() {
            @Override
            public boolean canTakeInterrupt() {
                return KvmRun.readyForInterruptInjection(run) && KvmRun.ifFlag(run);
            }

            @Override
            public void inject(int vector) {
                fd.interrupt(vector);
            }

            @Override
            public void requestWindow(boolean on) {
                KvmRun.requestInterruptWindow(run, on);
            }
        };
    }

    @Override
    public void raised(List<Interrupt> interrupts) {
        for (Interrupt i : interrupts) {
            if (i.vcpu() != vcpu || i.vector() < FIRST_VECTOR || i.vector() > LAST_VECTOR) {
                undeliverable++;
            } else {
                pending.putIfAbsent(i.vector(), i.source());
            }
        }
    }

    @Override
    public boolean canWake() {
        return !pending.isEmpty();
    }

    @Override
    public void beforeEntry() {
        if (!pending.isEmpty() && port.canTakeInterrupt()) {
            Map.Entry<Integer, String> next = pending.pollLastEntry();
            port.inject(next.getKey());
            deliveries.delivered(vcpu, next.getKey(), next.getValue());
        }
        port.requestWindow(!pending.isEmpty());
    }

    /** Vectors waiting for delivery, lowest first. */
    public List<Integer> pendingVectors() {
        return List.copyOf(pending.keySet());
    }

    /** Raised interrupts that cannot be injected here (no vector, illegal vector, another vCPU). */
    public long undeliverable() {
        return undeliverable;
    }
}
