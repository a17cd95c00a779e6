package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.Observation;

/**
 * The Xen side of event delivery that the adapter keeps because Hyper-V has none: the 2-level
 * bitmaps in the adapter's shared_info mirror and the upcall decision. A Hyper-V SINT tells the
 * adapter that a flag arrived; what the Xen guest then sees — pending bit, selector, upcall — is
 * Xen's rule ({@code xen/common/event_2l.c evtchn_2l_set_pending()}, {@code evtchn_2l_unmask()};
 * {@code xen/arch/x86/domain.c vcpu_mark_events_pending()}; {@code xen/arch/x86/hvm/irq.c
 * hvm_assert_evtchn_irq()}; xen-abi.md §5.3 and §7).
 *
 * <p>The mirror's page layout is Xen's public one ({@link SharedInfo}, shared with the reference as
 * the ABI's layout, like the argument structs); the decisions below are the adapter's own.
 */
final class AdapterEvents {

    /** The Interrupt source a Xen upcall carries ({@link Interrupt#source()}). */
    static final String UPCALL = "upcall";

    private final SharedInfo shinfo;
    /** Per-vCPU upcall vector (HVMOP_set_evtchn_upcall_vector); 0 = none. */
    private final int[] upcallVector;
    /**
     * The domain's callback (HVM_PARAM_CALLBACK_IRQ) as a vector, or 0 for none. hvm_op is not served
     * (the reference leaves it unmodelled), so it stays 0 and no upcall interrupt is raised.
     */
    private int callbackVector;

    AdapterEvents(SharedInfo shinfo, int vcpus) {
        this.shinfo = shinfo;
        this.upcallVector = new int[vcpus];
    }

    SharedInfo shinfo() {
        return shinfo;
    }

    /** 2-level {@code max_evtchns()}: w*w (4096 native, 1024 with the compat layout). */
    int maxEvtchns() {
        int w = shinfo.bitsPerEvtchnWord();
        return w * w;
    }

    /**
     * Port {@code port} arrived for vCPU {@code vcpu}: set pending; a port already pending changes
     * nothing; a masked one sets only its pending bit; the selector bit's 0→1 marks the vCPU, and
     * only evtchn_upcall_pending's 0→1 raises the upcall.
     */
    void setPending(int vcpu, int port, Observation.Builder out) {
        if (shinfo.testAndSetPending(port)) {
            return;
        }
        out.eventPending(port);
        if (!shinfo.testMask(port) && !shinfo.testAndSetPendingSel(vcpu, port / shinfo.bitsPerEvtchnWord())) {
            markEventsPending(vcpu, out);
        }
    }

    /** Clears a port's pending bit (closing it). */
    void clearPending(int port) {
        shinfo.clearPending(port);
    }

    /**
     * EVTCHNOP_unmask's 2-level effect: clear the mask; only if it was set, the port is pending and
     * the selector bit was clear does the vCPU get marked.
     */
    void unmask(int vcpu, int port, Observation.Builder out) {
        if (shinfo.testAndClearMask(port) && shinfo.testPending(port)
                && !shinfo.testAndSetPendingSel(vcpu, port / shinfo.bitsPerEvtchnWord())) {
            markEventsPending(vcpu, out);
        }
    }

    /** Pending and inside the 2-level range ({@code evtchn_2l_is_pending()}). */
    boolean isPending(int port) {
        return Integer.toUnsignedLong(port) < maxEvtchns() && shinfo.testPending(port);
    }

    /**
     * Whether an event waits for delivery on {@code vcpu}: upcall pending and a callback that would
     * inject it ({@code local_events_need_delivery()} as far as a hypervisor model sees).
     */
    boolean needDelivery(int vcpu) {
        return shinfo.upcallPending(vcpu) && (upcallVector[vcpu] != 0 || callbackVector != 0);
    }

    private void markEventsPending(int vcpu, Observation.Builder out) {
        if (shinfo.testAndSetUpcallPending(vcpu)) {
            return;
        }
        int vector = upcallVector[vcpu] != 0 ? upcallVector[vcpu] : callbackVector;
        if (vector != 0) {
            out.interrupt(new Interrupt(vcpu, vector, UPCALL));
        }
    }
}
