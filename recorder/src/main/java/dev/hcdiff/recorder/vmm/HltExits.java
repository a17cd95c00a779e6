package dev.hcdiff.recorder.vmm;

import dev.hcdiff.recorder.CleanEnd;
import dev.hcdiff.recorder.kvm.KvmRegs;

/**
 * {@code KVM_EXIT_HLT} (no in-kernel irqchip, so KVM leaves hlt to us): with interrupts off the
 * guest has stopped for good; with them on, only an injected interrupt could wake it, and the
 * recorder does not inject yet ({@code InterruptDelivery}).
 */
final class HltExits {

    private HltExits() {
    }

    static Step handle(Vcpu v) {
        if ((KvmRegs.rflags(v.regs) & KvmRegs.RFLAGS_IF) == 0) {
            return v.stop(new VcpuStop.Halted(v.rip(), CleanEnd.HALT_WITH_INTERRUPTS_OFF));
        }
        if (v.delivery.canWake()) {
            return Step.HANDLED;
        }
        return v.stop(new VcpuStop.Halted(v.rip(), "hlt with nothing to wake it"));
    }
}
