package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.xen.CallbackVia;
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
 * <p>How the upcall reaches the vCPU, per HVM_PARAM_CALLBACK_IRQ and HVMOP_set_evtchn_upcall_vector
 * (hyperv-abi.md §8a): a per-vCPU upcall vector goes through the partition's LAPIC, so only while it
 * is software-enabled; a vector callback is injected on any vCPU while its upcall is pending; a GSI
 * or PCI INTx callback is a line of the partition's IOAPIC, which the root asserts for vCPU 0
 * (device emulation is the root's, as dom0's services are). The adapter's SINTs stay polled: a SINT
 * fires once per flag, Xen's upcall once per evtchn_upcall_pending 0→1, so the adapter raises the
 * vector itself (a self-IPI, SendSyntheticClusterIpi, which the model does not implement).
 *
 * <p>The mirror's page layout is Xen's public one ({@link SharedInfo}, shared with the reference as
 * the ABI's layout, like the argument structs); the decisions below are the adapter's own.
 */
final class AdapterEvents {

    /** The Interrupt source a Xen upcall carries ({@link Interrupt#source()}). */
    static final String UPCALL = "upcall";
    /** The vector of an upcall that is a line, not a vector (the reference's convention). */
    static final int LINE = -1;

    private final SharedInfo shinfo;
    private final AdapterPlatform platform;
    /** Per-vCPU upcall vector (HVMOP_set_evtchn_upcall_vector); 0 = none. */
    private final int[] upcallVector;
    /** The domain's callback (HVM_PARAM_CALLBACK_IRQ), decoded. */
    private CallbackVia callbackVia = CallbackVia.NONE;

    AdapterEvents(SharedInfo shinfo, int vcpus, AdapterPlatform platform) {
        this.shinfo = shinfo;
        this.platform = platform;
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

    CallbackVia callbackVia() {
        return callbackVia;
    }

    void setCallbackVia(CallbackVia via) {
        this.callbackVia = via;
    }

    int upcallVector(int vcpu) {
        return upcallVector[vcpu];
    }

    void setUpcallVector(int vcpu, int vector) {
        upcallVector[vcpu] = vector;
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
     * inject it ({@code local_events_need_delivery()} as far as a hypervisor model sees; the LAPIC
     * and RFLAGS.IF belong to the recorder).
     */
    boolean needDelivery(int vcpu) {
        if (!shinfo.upcallPending(vcpu)) {
            return false;
        }
        if (upcallVector[vcpu] != 0) {
            return true;
        }
        return switch (callbackVia) {
            case CallbackVia.Vector v -> true;
            case CallbackVia.Gsi(int gsi) -> gsi != 0 && vcpu == 0;
            case CallbackVia.PciIntx p -> vcpu == 0;
            case CallbackVia.None n -> false;
        };
    }

    /**
     * Raises {@code vcpu}'s upcall as the callback in force delivers it: the per-vCPU vector through
     * the LAPIC (while enabled, whether or not an event is pending); else, only while
     * evtchn_upcall_pending is set, the callback vector, or vCPU 0's IOAPIC line.
     */
    void assertUpcall(int vcpu, Observation.Builder out) {
        if (upcallVector[vcpu] != 0) {
            if (platform.vlapic(vcpu).enabled()) {
                out.interrupt(new Interrupt(vcpu, upcallVector[vcpu], UPCALL));
            }
            return;
        }
        if (!shinfo.upcallPending(vcpu)) {
            return;
        }
        switch (callbackVia) {
            case CallbackVia.Vector(int vector) -> out.interrupt(new Interrupt(vcpu, vector, UPCALL));
            case CallbackVia.Gsi(int gsi) when gsi != 0 && vcpu == 0 -> out.interrupt(new Interrupt(0, LINE, UPCALL));
            case CallbackVia.PciIntx p when vcpu == 0 -> out.interrupt(new Interrupt(0, LINE, UPCALL));
            default -> {
                // No callback, or a line seen from a vCPU other than 0: nothing to raise.
            }
        }
    }

    /** The vCPU's LAPIC was just software-enabled: a pending upcall vector is raised again. */
    void lapicEnabled(int vcpu, Observation.Builder out) {
        if (upcallVector[vcpu] != 0 && shinfo.upcallPending(vcpu)) {
            out.interrupt(new Interrupt(vcpu, upcallVector[vcpu], UPCALL));
        }
    }

    private void markEventsPending(int vcpu, Observation.Builder out) {
        if (shinfo.testAndSetUpcallPending(vcpu)) {
            return;
        }
        assertUpcall(vcpu, out);
    }
}
