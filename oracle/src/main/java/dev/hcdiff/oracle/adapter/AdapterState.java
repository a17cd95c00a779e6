package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.hyperv.HvPartition;
import dev.hcdiff.oracle.toolstack.Toolstack;
import dev.hcdiff.oracle.toolstack.XlHvmBuild;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.E820Entry;
import dev.hcdiff.oracle.xen.abi.HvmH;
import dev.hcdiff.oracle.xen.abi.MemoryH;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.oracle.xen.platform.Vlapic;

import java.util.List;

/**
 * Everything the adapter keeps for the Xen guest that Hyper-V does not: the domain's identity, the
 * port table, the shared_info mirror and its event logic, the HVM params and e820 the toolstack
 * gave the domain, the book of its frames, the shutdown code, the watchdogs, dom0's services, the
 * platform's APICs and the link to the Hyper-V partition. One object, single-threaded (style.md §2.6).
 */
final class AdapterState {

    /** {@code SHUTDOWN_CODE_INVALID} (~0u, xen/include/xen/sched.h). */
    static final int SHUTDOWN_CODE_INVALID = -1;
    /** The control domain's id: it exists, but the adapter holds none of its state. */
    static final int DOM0 = 0;

    /** What a domid names, as Xen's {@code rcu_lock_domain_by_(any_)id()} would find it. */
    enum Lookup { SELF, DOM0, NONE }

    final XenConfig xen;
    final SharedInfo shinfo = new SharedInfo();
    final HvLink hv;
    final AdapterPlatform platform;
    final AdapterEvents events;
    final AdapterPortTable ports;
    final AdapterPhysmap physmap;
    final AdapterTime time;
    /** dom0's xenstored and xenconsoled for an xl domain, else null. */
    final Toolstack toolstack;
    /** How the guest reaches them through the root. */
    final Dom0Services dom0 = new Dom0Services(this);
    /** {@code d->arch.hvm.params[]} as the toolstack left them and the guest set them. */
    final long[] params = new long[HvmH.HVM_NR_PARAMS];
    /** The e820 the toolstack set with XENMEM_set_memory_map, or null (a bare domain has none). */
    List<E820Entry> e820;
    /**
     * The x87 FIP/FDP width the guest sees (HVM_PARAM_X87_FIP_WIDTH): the CPU's, 8 on Intel CPUs
     * that deprecate FCS/FDS and 0 on AMD ones that do not, as the same CPU shows Xen
     * ({@code arch_domain_create()}: {@code cpu_has_fpu_sel ? 0 : 8}).
     */
    long x87FipWidth;
    int shutdownCode = SHUTDOWN_CODE_INVALID;
    /** Bit i: watchdog i in use (Xen's {@code watchdog_inuse_map}). */
    int watchdogInuse;
    /** {@code d->vm_assist}. */
    long vmAssist;

    AdapterState(XenConfig xen, HvPartition partition) {
        this.xen = xen;
        this.hv = new HvLink(partition, xen.vcpus());
        this.platform = new AdapterPlatform(xen.vcpus(), !isPvh(xen));
        this.events = new AdapterEvents(shinfo, xen.vcpus(), platform);
        this.ports = new AdapterPortTable(xen.maxEvtchnPort(), events::maxEvtchns, xen.vcpus());
        this.x87FipWidth = xen.vendor() == CpuVendor.INTEL ? 8 : 0;
        // On Intel the APIC-access page is a mapped frame of the guest's space (VMX), under Xen's
        // p2m as under a Hyper-V SLAT on the same CPU; AMD has none.
        long apic = xen.vendor() == CpuVendor.INTEL ? Vlapic.APIC_DEFAULT_PHYS_BASE >>> MemoryH.PAGE_SHIFT : -1;
        XlHvmBuild build = toolstackBuild(xen);
        if (build != null) {
            this.physmap = new AdapterPhysmap(build.populatedRanges(), build.maxPages(), apic);
            build.params().forEach((i, v) -> params[i] = v);
            this.e820 = build.e820().stream().map(e -> new E820Entry(e.addr(), e.size(), e.type())).toList();
            this.toolstack = new Toolstack(build);
            bindToDom0(Toolstack.DOM0_STORE_PORT);
            bindToDom0(Toolstack.DOM0_CONSOLE_PORT);
        } else {
            long pages = xen.memoryBytes() >>> MemoryH.PAGE_SHIFT;
            this.physmap = new AdapterPhysmap(List.of(new long[] {0, pages}), pages, apic);
            this.e820 = null;
            this.toolstack = null;
        }
        this.time = new AdapterTime(shinfo, hv, xen.vcpus());
    }

    /**
     * What the toolstack built for this domain kind, or null for a bare domain: the same
     * {@link XlHvmBuild} the reference starts from, so both personalities see one machine.
     */
    static XlHvmBuild toolstackBuild(XenConfig xen) {
        if (!xen.domain().fromToolstack()) {
            return null;
        }
        return new XlHvmBuild(xen.domid(), xen.memoryBytes(), xen.vcpus(), xen.uuid().toString(),
                isPvh(xen) ? XlHvmBuild.Type.PVH : XlHvmBuild.Type.HVM);
    }

    /** The dom0 ports an xl domain's channels are bound to (store, then console), or none. */
    static List<Integer> dom0Ports(XenConfig xen) {
        return xen.domain().fromToolstack() ? List.of(Toolstack.DOM0_STORE_PORT, Toolstack.DOM0_CONSOLE_PORT)
                : List.of();
    }

    /**
     * A PVH domain: libxl asks for a LAPIC only (XEN_X86_EMU_LAPIC: no IOAPIC, no PIC, no PIRQs;
     * tools/libs/light/libxl_x86.c libxl__arch_domain_prepare_config()), and the partition the root
     * builds for it has the same platform.
     */
    static boolean isPvh(XenConfig xen) {
        return xen.domain() == XenConfig.DomainKind.XL_PVH;
    }

    boolean pvh() {
        return isPvh(xen);
    }

    /**
     * libxl__build_pre()'s {@code xc_evtchn_alloc_unbound(domid, 0)}, bound at once by the dom0
     * daemon: the lowest free port, INTERDOMAIN to dom0's {@code dom0Port}, notifying vCPU 0.
     */
    private void bindToDom0(int dom0Port) {
        int port = ports.allocate();
        if (port < 0) {
            throw new IllegalStateException("no free port for the toolstack's channel: " + port);
        }
        AdapterPortTable.Port p = ports.get(port);
        p.state = AdapterPortTable.State.INTERDOMAIN;
        p.remoteDom = DOM0;
        p.remotePort = dom0Port;
    }

    int domid() {
        return xen.domid();
    }

    int vcpus() {
        return xen.vcpus();
    }

    /** True when {@code vcpu} (unsigned) names one of the domain's vCPUs. */
    boolean vcpuExists(int vcpu) {
        return Integer.toUnsignedLong(vcpu) < xen.vcpus();
    }

    /** By any id: DOMID_SELF is the caller. */
    Lookup byAnyId(int domid) {
        return domid == XenH.DOMID_SELF ? Lookup.SELF : byId(domid);
    }

    /** By id only: DOMID_SELF is not a domain in the hash. */
    Lookup byId(int domid) {
        if (domid == xen.domid()) {
            return Lookup.SELF;
        }
        return domid == DOM0 ? Lookup.DOM0 : Lookup.NONE;
    }

    /** Latches a shutdown code if none is set; Xen keeps it as a u8. */
    void latchShutdown(int reason) {
        if (shutdownCode == SHUTDOWN_CODE_INVALID) {
            shutdownCode = reason & 0xff;
        }
    }
}
