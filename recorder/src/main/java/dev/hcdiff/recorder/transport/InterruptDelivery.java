package dev.hcdiff.recorder.transport;

import dev.hcdiff.trace.record.Interrupt;

import java.util.List;

/**
 * Where a backend's {@code Observation.interrupts()} go: the run loop hands every raised
 * interrupt to {@link #raised} and calls {@link #beforeEntry} before each {@code KVM_RUN}, so an
 * implementation can inject a pending one when the vCPU can take it (kvm.md: no in-kernel irqchip,
 * {@code KVM_INTERRUPT} after an exit with {@code ready_for_interrupt_injection}) and ask for an
 * interrupt window otherwise. The recorder uses {@code vmm.PendingInterrupts}.
 */
public interface InterruptDelivery {

    /** Accepts interrupts a served request raised. */
    void raised(List<Interrupt> interrupts);

    /** True when a pending interrupt could wake a halted or blocked vCPU now. */
    boolean canWake();

    /** Called before every entry into the guest: inject what can be injected now. */
    void beforeEntry();
}
