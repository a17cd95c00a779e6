package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.ConsoleBuffer;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.trace.record.Interrupt;

/**
 * All the state of the one domain the model runs (style.md §2.6): its id, vCPUs, shared_info,
 * event channels, shutdown code, watchdogs, console buffer and callback. Single-threaded;
 * deterministic (time only from {@link Current#nowNs()}).
 *
 * <p>The world around it: dom0 exists (id 0) but the model holds none of its state, and no other
 * domain exists. No Xen-consumed channels exist unless {@link EventChannels#allocUnboundXenEventChannel}
 * creates one (no device model, no ioreq server: the hvmloader scenario of xen-abi.md §8.3).
 */
public final class XenDomain {

    /** {@code SHUTDOWN_CODE_INVALID} (~0u, xen/include/xen/sched.h): no code latched yet. */
    public static final int SHUTDOWN_CODE_INVALID = -1;
    /** The control/hardware domain's id. */
    public static final int DOM0 = 0;

    /** Which domain a domid names, as {@code rcu_lock_domain_by_(any_)id()} finds it. */
    public enum Lookup { SELF, DOM0, NONE }

    private final XenConfig config;
    private final SharedInfo sharedInfo = new SharedInfo();
    private final XenVcpu[] vcpus;
    private final Evtchn2l evtchn2l;
    private final EventChannelTable evtchn;
    private final ConsoleBuffer console = new ConsoleBuffer();
    private int shutdownCode = SHUTDOWN_CODE_INVALID;
    private boolean isShuttingDown;
    private CallbackVia callbackVia = CallbackVia.NONE;
    /** {@code d->vm_assist}. */
    long vmAssist;
    /** {@code d->watchdog_inuse_map}. */
    int watchdogInuseMap;

    public XenDomain(XenConfig config) {
        this.config = config;
        this.vcpus = new XenVcpu[config.vcpus()];
        for (int i = 0; i < vcpus.length; i++) {
            vcpus[i] = new XenVcpu(i);
        }
        this.evtchn2l = new Evtchn2l(this);
        this.evtchn = new EventChannelTable(config.maxEvtchnPort(), evtchn2l::maxEvtchns);
    }

    public XenConfig config() {
        return config;
    }

    /** {@code d->domain_id}. */
    public int domainId() {
        return config.domid();
    }

    public SharedInfo sharedInfo() {
        return sharedInfo;
    }

    public EventChannelTable evtchn() {
        return evtchn;
    }

    Evtchn2l evtchn2l() {
        return evtchn2l;
    }

    public ConsoleBuffer console() {
        return console;
    }

    /** {@code d->max_vcpus}. */
    public int maxVcpus() {
        return vcpus.length;
    }

    /** {@code d->vcpu[id]} for an id known to exist. */
    public XenVcpu vcpu(int id) {
        return vcpus[id];
    }

    /**
     * {@code domain_vcpu(d, vcpu_id)}: the vCPU, or null when {@code vcpuId} (unsigned) is not below
     * {@code max_vcpus}.
     */
    public XenVcpu domainVcpu(int vcpuId) {
        return Integer.toUnsignedLong(vcpuId) < vcpus.length ? vcpus[vcpuId] : null;
    }

    /** {@code rcu_lock_domain_by_any_id()}: DOMID_SELF is the caller. */
    public Lookup lockDomainByAnyId(int domid) {
        return domid == XenH.DOMID_SELF ? Lookup.SELF : lockDomainById(domid);
    }

    /**
     * {@code rcu_lock_domain_by_id()}: searches the domain hash, which holds no system domain
     * (DOMID_SELF, DOMID_IO, … are not in it: {@code domain_create()} only hashes real ones).
     */
    public Lookup lockDomainById(int domid) {
        if (domid == domainId()) {
            return Lookup.SELF;
        }
        return domid == DOM0 ? Lookup.DOM0 : Lookup.NONE;
    }

    /**
     * {@code xsm_default_action(XSM_TARGET, current->domain, target)} under the dummy policy: the
     * caller acting on itself passes; on dom0 it is neither dom0's device model nor the control
     * domain, so -EPERM.
     */
    public boolean xsmTargetAllows(Lookup target) {
        return target == Lookup.SELF;
    }

    /** {@code d->shutdown_code}, or {@link #SHUTDOWN_CODE_INVALID}. */
    public int shutdownCode() {
        return shutdownCode;
    }

    /** {@code d->is_shutting_down}. */
    public boolean isShuttingDown() {
        return isShuttingDown;
    }

    /** Latches a shutdown code if none is set ({@code SCHEDOP_shutdown_code}). */
    void latchShutdownCode(int code) {
        if (shutdownCode == SHUTDOWN_CODE_INVALID) {
            shutdownCode = code & 0xff;
        }
    }

    /**
     * {@code domain_shutdown(d, reason)} (xen/common/domain.c): the first code wins; every vCPU is
     * paused.
     *
     * @return the code in force
     */
    int domainShutdown(int reason) {
        latchShutdownCode(reason);
        isShuttingDown = true;
        return shutdownCode;
    }

    public CallbackVia callbackVia() {
        return callbackVia;
    }

    /** HVM_PARAM_CALLBACK_IRQ; for hvm_op once it is modelled (and for tests of the delivery path). */
    void setCallbackVia(CallbackVia via) {
        this.callbackVia = via;
    }

    /** HVMOP_set_evtchn_upcall_vector; for hvm_op once it is modelled. */
    void setEvtchnUpcallVector(int vcpu, int vector) {
        vcpus[vcpu].evtchnUpcallVector = vector;
    }

    /**
     * {@code vcpu_mark_events_pending()} (xen/arch/x86/domain.c): sets evtchn_upcall_pending; only
     * its 0→1 change asserts the callback.
     */
    void vcpuMarkEventsPending(Current current, XenVcpu v) {
        if (sharedInfo.testAndSetUpcallPending(v.vcpuId())) {
            return;
        }
        hvmAssertEvtchnIrq(current, v);
    }

    /**
     * {@code hvm_assert_evtchn_irq()} (xen/arch/x86/hvm/irq.c): the per-vCPU upcall vector if set
     * (through the LAPIC, which the model assumes enabled); else the domain's vector callback on any
     * vCPU; else, on vCPU 0 only, the GSI or PCI INTx line (vector -1); with no callback, nothing.
     * {@code evtchn_upcall_mask} is not consulted for HVM.
     */
    private void hvmAssertEvtchnIrq(Current current, XenVcpu v) {
        if (v.evtchnUpcallVector != 0) {
            current.observed().interrupt(new Interrupt(v.vcpuId(), v.evtchnUpcallVector, "upcall"));
            return;
        }
        switch (callbackVia) {
            case CallbackVia.Vector(int vector) ->
                    current.observed().interrupt(new Interrupt(v.vcpuId(), vector, "upcall"));
            case CallbackVia.Gsi(int gsi) when gsi != 0 && v.vcpuId() == 0 ->
                    current.observed().interrupt(new Interrupt(0, -1, "upcall"));
            case CallbackVia.PciIntx p when v.vcpuId() == 0 ->
                    current.observed().interrupt(new Interrupt(0, -1, "upcall"));
            default -> {
                // HVMIRQ_callback_none (or a GSI/INTx callback seen from vCPU > 0): no interrupt.
            }
        }
    }

    /**
     * {@code local_events_need_delivery()} for HVM, as far as the model can see: an upcall is pending
     * on {@code v} and a callback would inject it. The LAPIC and RFLAGS.IF belong to the recorder,
     * which wakes a blocked vCPU for any interrupt it delivers.
     */
    boolean localEventsNeedDelivery(XenVcpu v) {
        if (!sharedInfo.upcallPending(v.vcpuId())) {
            return false;
        }
        if (v.evtchnUpcallVector != 0) {
            return true;
        }
        return switch (callbackVia) {
            case CallbackVia.Vector vector -> true;
            case CallbackVia.Gsi(int gsi) -> gsi != 0 && v.vcpuId() == 0;
            case CallbackVia.PciIntx p -> v.vcpuId() == 0;
            case CallbackVia.None none -> false;
        };
    }
}
