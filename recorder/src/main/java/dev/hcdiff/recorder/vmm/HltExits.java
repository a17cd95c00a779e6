package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.CleanEnd;
import dev.hcdiff.recorder.kvm.KvmRegs;

/**
 * {@code KVM_EXIT_HLT} (no in-kernel irqchip, so KVM leaves hlt to us): with interrupts off the
 * guest has stopped for good; with them on, only an interrupt wakes it: a pending one, or one a
 * backend timer raises once virtual time reaches its deadline ({@link Vcpu#awaitInterrupt}).
 * Resuming without one would run the code after hlt early, so a vCPU nothing can wake stops as HALTED.
 */
final class HltExits {

    private HltExits() {
    }

    static Step handle(Vcpu v) {
        if ((KvmRegs.rflags(v.regs) & KvmRegs.RFLAGS_IF) == 0) {
            return v.stop(new VcpuStop.Halted(v.rip(), CleanEnd.HALT_WITH_INTERRUPTS_OFF));
        }
        if (v.awaitInterrupt()) {
            return Step.HANDLED; // the next entry injects it and the guest resumes in its handler
        }
        return v.stop(new VcpuStop.Halted(v.rip(), "hlt with nothing to wake it"));
    }
}
