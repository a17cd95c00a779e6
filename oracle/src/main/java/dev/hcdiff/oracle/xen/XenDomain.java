package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.toolstack.Toolstack;
import dev.hcdiff.oracle.toolstack.XlHvmBuild;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.HvmH;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.ConsoleBuffer;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.oracle.xen.platform.TimeScale;
import dev.hcdiff.oracle.xen.platform.Vioapic;
import dev.hcdiff.oracle.xen.platform.Vlapic;
import dev.hcdiff.trace.record.Interrupt;

import java.util.ArrayList;
import java.util.List;

/**
 * All the state of the one domain the model runs (style.md §2.6): its id, vCPUs, shared_info,
 * event channels, shutdown code, watchdogs, console buffer and callback. Single-threaded;
 * deterministic (time only from {@link Current#nowNs()}).
 *
 * <p>The world around it: dom0 exists (id 0, PV, so not translated and not HVM) and no other
 * domain exists. Of dom0 the model holds only the toolstack an {@code xl-hvm} domain talks to
 * ({@link Toolstack}: xenstored and xenconsoled behind ports 1 and 2). No Xen-consumed channels
 * exist unless {@link EventChannels#allocUnboundXenEventChannel} creates one (no device model, no
 * ioreq server: the hvmloader scenario of xen-abi.md §8.3).
 *
 * <p>Memory ({@link PhysMap}): a {@code bare} domain has RAM [0, memory-bytes), max_pages equal to
 * it and no e820; an {@code xl-hvm} or {@code xl-pvh} domain has what {@link XlHvmBuild} describes.
 *
 * <p>Emulation ({@link #emulationFlags()}): what libxl asks {@code domain_create()} to emulate;
 * a PVH domain has a vLAPIC and nothing else (no vIOAPIC, no vPIC, no PIRQs). On Intel the
 * vLAPIC's APIC-access page sits at 0xFEE00 as {@code p2m_mmio_direct}
 * ({@code vmx_domain_creation_finished()}, assuming the host virtualises APIC accesses).
 */
public final class XenDomain {

    /** {@code SHUTDOWN_CODE_INVALID} (~0u, xen/include/xen/sched.h): no code latched yet. */
    public static final int SHUTDOWN_CODE_INVALID = -1;
    /** The control/hardware domain's id. */
    public static final int DOM0 = 0;

    /** xen/include/public/arch-x86/xen.h XEN_X86_EMU_LAPIC. */
    public static final int XEN_X86_EMU_LAPIC = 1 << 0;
    /** arch-x86/xen.h XEN_X86_EMU_IOAPIC. */
    public static final int XEN_X86_EMU_IOAPIC = 1 << 4;
    /** arch-x86/xen.h XEN_X86_EMU_PIC. */
    public static final int XEN_X86_EMU_PIC = 1 << 5;
    /** arch-x86/xen.h XEN_X86_EMU_USE_PIRQ. */
    public static final int XEN_X86_EMU_USE_PIRQ = 1 << 9;
    /** arch-x86/xen.h XEN_X86_EMU_VPCI. */
    public static final int XEN_X86_EMU_VPCI = 1 << 10;
    /** arch-x86/xen.h XEN_X86_EMU_ALL: bits 0 (LAPIC) to 10 (VPCI). */
    public static final int XEN_X86_EMU_ALL = (1 << 11) - 1;

    /** Which domain a domid names, as {@code rcu_lock_domain_by_(any_)id()} finds it. */
    public enum Lookup { SELF, DOM0, NONE }

    /** xen/common/grant_table.c INITIAL_NR_GRANT_FRAMES: frames a new grant table has. */
    public static final int INITIAL_NR_GRANT_FRAMES = 1;
    /**
     * {@code gt->max_grant_frames}: libxl's default max_grant_frames, which Xen's
     * opt_max_grant_frames (64) also caps (xen/common/grant_table.c).
     */
    public static final int MAX_GRANT_FRAMES = 64;

    private final XenConfig config;
    private final SharedInfo sharedInfo = new SharedInfo();
    private final PhysMap p2m;
    private final PhysMap.Frame sharedInfoFrame = PhysMap.special(PhysMap.Kind.SHARED_INFO, 0);
    private final List<PhysMap.Frame> grantFrames = new ArrayList<>();
    private final long[] params = new long[HvmH.HVM_NR_PARAMS];
    /** {@code d->arch.x87_fip_width}. */
    long x87FipWidth;
    /** {@code d->arch.e820}, or null when the toolstack never set one. */
    private List<E820Entry> e820;
    private final Toolstack toolstack;
    private final List<Integer> dom0Kicks = new ArrayList<>();
    private final Vioapic vioapic = new Vioapic();
    private final TimeScale vtscToNs;
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
        for (int i = 0; i < INITIAL_NR_GRANT_FRAMES; i++) {
            grantFrames.add(PhysMap.special(PhysMap.Kind.GRANT_TABLE, i));
        }
        // arch_domain_create(): x87_fip_width = cpu_has_fpu_sel ? 0 : 8. Host state: the model
        // assumes Intel CPUs that deprecate FCS/FDS (CPUID.7.0:EBX[13], Haswell on) and AMD ones
        // that do not.
        this.x87FipWidth = config.vendor() == CpuVendor.INTEL ? 8 : 0;
        // set_time_scale(&d->arch.vtsc_to_ns, d->arch.tsc_khz * 1000): the scale an HVM guest's
        // vcpu_time_info carries when the host scales TSCs (xen/arch/x86/time.c).
        this.vtscToNs = TimeScale.of(config.tscKhz() * 1000L);
        long pages = config.memoryBytes() >>> 12;
        if (config.domain().fromToolstack()) {
            XlHvmBuild build = new XlHvmBuild(config.domid(), config.memoryBytes(), config.vcpus(),
                    config.uuid().toString(), config.domain() == XenConfig.DomainKind.XL_PVH
                            ? XlHvmBuild.Type.PVH : XlHvmBuild.Type.HVM);
            this.p2m = new PhysMap(build.populatedRanges(), build.maxPages());
            build.params().forEach((i, v) -> params[i] = v);
            this.e820 = build.e820().stream().map(e -> new E820Entry(e.addr(), e.size(), e.type())).toList();
            this.toolstack = new Toolstack(build);
        } else {
            this.p2m = new PhysMap(List.of(new long[] {0, pages}), pages);
            this.e820 = null;
            this.toolstack = null;
        }
        if (config.vendor() == CpuVendor.INTEL) {
            p2m.set(Vlapic.APIC_DEFAULT_PHYS_BASE >>> 12, PhysMap.special(PhysMap.Kind.MMIO_DIRECT, 0));
        }
        // The vCPUs' first context switch (update_vcpu_system_time(next)) at system time 0.
        for (XenVcpu v : vcpus) {
            updateVcpuSystemTime(v, 0);
        }
    }

    /**
     * The xl-hvm event channels: libxl__build_pre()'s xc_evtchn_alloc_unbound(domid, 0) twice (store,
     * then console), each then bound by its dom0 daemon (xs_introduce_domain(), xenconsoled), so
     * INTERDOMAIN to dom0 when the guest starts. Called once by the backend after the tables exist.
     */
    void bindToolstackPorts(EventChannels channels) {
        if (toolstack == null) {
            return;
        }
        channels.bindToDom0(Toolstack.DOM0_STORE_PORT);
        channels.bindToDom0(Toolstack.DOM0_CONSOLE_PORT);
    }

    /**
     * {@code d->arch.emulation_flags}, as libxl__arch_domain_prepare_config() sets them
     * (tools/libs/light/libxl_x86.c): HVM {@code XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI}, PVH
     * {@code XEN_X86_EMU_LAPIC}. A bare domain is modelled as HVM.
     */
    public int emulationFlags() {
        return config.domain() == XenConfig.DomainKind.XL_PVH ? XEN_X86_EMU_LAPIC
                : XEN_X86_EMU_ALL & ~XEN_X86_EMU_VPCI;
    }

    /** {@code has_vioapic(d)} (xen/arch/x86/include/asm/domain.h). */
    public boolean hasVioapic() {
        return (emulationFlags() & XEN_X86_EMU_IOAPIC) != 0;
    }

    /** {@code has_vpic(d)}. */
    public boolean hasVpic() {
        return (emulationFlags() & XEN_X86_EMU_PIC) != 0;
    }

    /** {@code has_vlapic(d)}. */
    public boolean hasVlapic() {
        return (emulationFlags() & XEN_X86_EMU_LAPIC) != 0;
    }

    /** {@code has_pirq(d)}: XENFEAT_hvm_pirqs and the PIRQ physdev ops. */
    public boolean hasPirq() {
        return (emulationFlags() & XEN_X86_EMU_USE_PIRQ) != 0;
    }

    /** The domain's p2m and page counts. */
    public PhysMap p2m() {
        return p2m;
    }

    /** The page XENMAPSPACE_shared_info idx 0 names. */
    PhysMap.Frame sharedInfoFrame() {
        return sharedInfoFrame;
    }

    /** The grant-table frames allocated so far ({@code nr_grant_frames}). */
    List<PhysMap.Frame> grantFrames() {
        return grantFrames;
    }

    /** {@code d->arch.hvm.params[index]}. */
    public long param(int index) {
        return params[index];
    }

    void setParam(int index, long value) {
        params[index] = value;
    }

    /** {@code d->arch.e820}, or null. */
    public List<E820Entry> e820() {
        return e820;
    }

    void setE820(List<E820Entry> map) {
        this.e820 = List.copyOf(map);
    }

    /** dom0's xenstored and xenconsoled, or null for a bare domain. */
    public Toolstack toolstack() {
        return toolstack;
    }

    /** dom0 ports the guest made pending since the last call, in order (the toolstack serves them). */
    List<Integer> takeDom0Kicks() {
        List<Integer> k = List.copyOf(dom0Kicks);
        dom0Kicks.clear();
        return k;
    }

    /** The guest's send reached dom0's port {@code dom0Port}. */
    void kickDom0(int dom0Port) {
        dom0Kicks.add(dom0Port);
    }

    public Vioapic vioapic() {
        return vioapic;
    }

    /** {@code d->arch.vtsc_to_ns}. */
    public TimeScale vtscToNs() {
        return vtscToNs;
    }

    /**
     * The {@code flags} of every {@code vcpu_time_info} Xen writes: {@code __update_vcpu_system_time()}
     * sets XEN_PVCLOCK_TSC_STABLE_BIT only {@code if ( clocksource_is_tsc() )}, i.e. when the
     * platform timer is plt_tsc, which only {@code verify_tsc_reliability()} switches to, and only
     * for the command-line option {@code clocksource=tsc} ({@code !strcmp(opt_clocksource, "tsc")};
     * xen/arch/x86/time.c, Xen 4.17.7). Debian's default boot has no such option (the platform
     * timer is the HPET, ACPI PM timer or PIT), so the bit is clear.
     */
    public static final int VCPU_TIME_FLAGS = 0;

    /**
     * {@code __update_vcpu_system_time(v)} at {@code nowNs}: system_time = now; tsc_timestamp = the
     * guest TSC then (0 at VM creation, running at xen.tsc-khz); the domain's vtsc_to_ns scale;
     * flags {@link #VCPU_TIME_FLAGS}.
     */
    void updateVcpuSystemTime(XenVcpu v, long nowNs) {
        if (v.vcpuId() >= XenH.XEN_LEGACY_MAX_VCPUS) {
            return;
        }
        long khz = config.tscKhz();
        long tsc = (nowNs / 1_000_000L) * khz + (nowNs % 1_000_000L) * khz / 1_000_000L;
        sharedInfo.updateVcpuTime(v.vcpuId(), tsc, nowNs, vtscToNs.mulFrac(), vtscToNs.shift(), VCPU_TIME_FLAGS);
        v.lastTimeUpdateNs = nowNs;
    }

    /**
     * Xen refreshes a running vCPU's time at each calibration ({@code local_time_calibration()},
     * every EPOCH = 1 s) and at each context switch: the model does so when a request arrives in a
     * later second than the last refresh, or from a vCPU that was blocked.
     */
    void refreshTime(XenVcpu v, long nowNs) {
        if (v.wasBlocked || Long.divideUnsigned(nowNs, EPOCH_NS) != Long.divideUnsigned(v.lastTimeUpdateNs, EPOCH_NS)) {
            v.wasBlocked = false;
            updateVcpuSystemTime(v, nowNs);
        }
    }

    /** xen/arch/x86/time.c EPOCH = MILLISECS(1000). */
    static final long EPOCH_NS = 1_000_000_000L;

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

    /** HVM_PARAM_CALLBACK_IRQ's decoded value ({@code hvm_set_callback_via()}); re-asserting is the caller's. */
    void setCallbackVia(CallbackVia via) {
        this.callbackVia = via;
    }

    /** HVMOP_set_evtchn_upcall_vector's store ({@code v->arch.hvm.evtchn_upcall_vector}). */
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
     * (through the LAPIC, only while it is enabled); else the domain's vector callback on any
     * vCPU; else, on vCPU 0 only, the GSI or PCI INTx line (vector -1); with no callback, nothing.
     * {@code evtchn_upcall_mask} is not consulted for HVM.
     */
    void hvmAssertEvtchnIrq(Current current, XenVcpu v) {
        if (v.evtchnUpcallVector != 0) {
            // vlapic_set_irq(), whether or not an event is pending: the guest sees the vector.
            if (v.vlapic().enabled()) {
                current.observed().interrupt(new Interrupt(v.vcpuId(), v.evtchnUpcallVector, "upcall"));
            }
            return;
        }
        // vcpu_kick() / hvm_set_callback_irq_level(): the vector is injected, or the line asserted,
        // only while evtchn_upcall_pending is set.
        if (!sharedInfo.upcallPending(v.vcpuId())) {
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
