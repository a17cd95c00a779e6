package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.Vlapic;

/**
 * Per-vCPU state Xen keeps outside shared_info ({@code struct vcpu} in xen/include/xen/sched.h):
 * {@code virq_to_evtchn[NR_VIRQS]} and the per-vCPU upcall vector of
 * HVMOP_set_evtchn_upcall_vector ({@code v->arch.hvm.evtchn_upcall_vector}), its vLAPIC, and
 * whether it blocked since its last time update (a context switch refreshes vcpu_time_info).
 */
public final class XenVcpu {

    private final int vcpuId;
    final int[] virqToEvtchn = new int[XenH.NR_VIRQS];
    int evtchnUpcallVector;
    boolean wasBlocked;
    /** Virtual time of the last {@code __update_vcpu_system_time()} of this vCPU. */
    long lastTimeUpdateNs;
    private final Vlapic vlapic;

    XenVcpu(int vcpuId) {
        this.vcpuId = vcpuId;
        this.vlapic = new Vlapic(vcpuId);
    }

    /** {@code vcpu_vlapic(v)}. */
    public Vlapic vlapic() {
        return vlapic;
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
