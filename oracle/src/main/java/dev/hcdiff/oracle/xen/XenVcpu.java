package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.XenH;

/**
 * Per-vCPU state Xen keeps outside shared_info ({@code struct vcpu} in xen/include/xen/sched.h):
 * {@code virq_to_evtchn[NR_VIRQS]} and the per-vCPU upcall vector of
 * HVMOP_set_evtchn_upcall_vector ({@code v->arch.hvm.evtchn_upcall_vector}).
 */
public final class XenVcpu {

    private final int vcpuId;
    final int[] virqToEvtchn = new int[XenH.NR_VIRQS];
    int evtchnUpcallVector;

    XenVcpu(int vcpuId) {
        this.vcpuId = vcpuId;
    }

    /** {@code v->vcpu_id}. */
    public int vcpuId() {
        return vcpuId;
    }

    /** The port bound to {@code virq} on this vCPU, or 0. */
    public int virqToEvtchn(int virq) {
        return virqToEvtchn[virq];
    }

    /** The per-vCPU upcall vector, or 0 when none is set. */
    public int evtchnUpcallVector() {
        return evtchnUpcallVector;
    }
}
