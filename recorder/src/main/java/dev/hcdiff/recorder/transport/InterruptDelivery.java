package dev.hcdiff.recorder.transport;

import dev.hcdiff.trace.record.Interrupt;

import java.util.List;

/**
 * The seam for upcall injection: a backend's {@code Observation.interrupts()} reach this. The
 * later implementation queues them, injects each with {@code KVM_INTERRUPT} when the vCPU can take
 * it (after {@code KVM_EXIT_HLT} or an interrupt window, kvm.md) and records a {@code Delivery};
 * it is also what can wake a blocked or halted vCPU. Until then the recorder uses {@link #NONE}:
 * nothing is injected, and a vCPU waiting for an event with no deadline stops as HALTED.
 */
public interface InterruptDelivery {

    /** Accepts interrupts a served request raised. */
    void raised(List<Interrupt> interrupts);

    /** True when a pending interrupt could wake a halted or blocked vCPU now. */
    boolean canWake();

    /** No injection yet: raised interrupts are only in the recorded observation. */
    InterruptDelivery NONE = new InterruptDelivery() {
        @Override
        public void raised(List<Interrupt> interrupts) {
        }

        @Override
        public boolean canWake() {
            return false;
        }
    };
}
