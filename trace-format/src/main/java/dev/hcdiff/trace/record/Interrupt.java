package dev.hcdiff.trace.record;

/**
 * An interrupt the hypervisor raised towards a vCPU as the effect of a call: a Xen event-channel
 * upcall or a Hyper-V SINT.
 *
 * @param vcpu   target vCPU
 * @param vector the vector the guest will see; -1 when the delivery mode has no vector (a Xen
 *               GSI/INTx callback). With no callback configured nothing is raised, so there is no
 *               Interrupt at all
 * @param source {@code "upcall"} (Xen evtchn_upcall_pending 0→1) or {@code "sint<N>"} (Hyper-V)
 */
public record Interrupt(int vcpu, int vector, String source) {
}
