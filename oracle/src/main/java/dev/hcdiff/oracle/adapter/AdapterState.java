package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.hyperv.HvPartition;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.SharedInfo;

/**
 * Everything the adapter keeps for the Xen guest that Hyper-V does not: the domain's identity, the
 * port table, the shared_info mirror and its event logic, the shutdown code, the watchdogs, and the
 * link to the Hyper-V partition. One object, single-threaded (style.md §2.6).
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
    final AdapterEvents events;
    final AdapterPortTable ports;
    final HvLink hv;
    int shutdownCode = SHUTDOWN_CODE_INVALID;
    /** Bit i: watchdog i in use (Xen's {@code watchdog_inuse_map}). */
    int watchdogInuse;
    /** {@code d->vm_assist}. */
    long vmAssist;

    AdapterState(XenConfig xen, HvPartition partition) {
        this.xen = xen;
        this.events = new AdapterEvents(shinfo, xen.vcpus());
        this.ports = new AdapterPortTable(xen.maxEvtchnPort(), events::maxEvtchns, xen.vcpus());
        this.hv = new HvLink(partition, xen.vcpus());
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
}
