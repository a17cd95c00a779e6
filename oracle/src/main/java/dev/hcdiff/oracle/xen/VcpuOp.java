package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.VcpuH;
import dev.hcdiff.oracle.xen.abi.VcpuRegisterVcpuInfo;
import dev.hcdiff.oracle.xen.abi.VcpuSetSingleshotTimer;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.record.VcpuState;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENXIO;

/**
 * The vcpu_op sub-ops of Xen 4.17.7 ({@code xen/arch/x86/domain.c do_vcpu_op()},
 * {@code xen/common/domain.c common_vcpu_op()}; 32-bit callers {@code compat_vcpu_op()} in
 * xen/arch/x86/x86_64/domain.c and {@code compat_common_vcpu_op()} in xen/common/compat/domain.c).
 * HVM guests reach every sub-op: {@code hvm_hypercall()} does not filter vcpu_op
 * (xen/include/hypercall-defs.c). The sub-ops never touch guest memory; the dispatcher copies.
 *
 * <p>Run state ({@code _VPF_down}, {@code is_initialised}): the toolstack starts vCPU 0 and an HVM
 * AP stays down and uninitialised until the BSP's INIT-SIPI ({@code vlapic_init_sipi_one()} →
 * {@code hvm_vcpu_reset_state()}), which the recorder sees only as the AP's first request: a vCPU
 * that makes a request is initialised and up ({@link #running}).
 *
 * <p>Not modelled (trail {@value Current#UNMODELLED}, -ENOSYS) past their argument checks:
 * initialise (a {@code vcpu_hvm_context} boot), get_runstate_info and
 * register_runstate_memory_area (Xen's scheduler accounting), register_vcpu_info's move of the
 * vcpu_info (the model's vcpu_info lives in shared_info only), register_vcpu_time_memory_area (a
 * second vcpu_time_info copy) and send_nmi (an NMI is no {@code Interrupt} the recorder delivers).
 */
public final class VcpuOp {

    private final XenDomain d;
    private final XenTimers timers;
    /** {@code v->pause_flags & VPF_down}. */
    private final boolean[] down;
    /** {@code v->is_initialised}. */
    private final boolean[] initialised;

    public VcpuOp(XenDomain d, XenTimers timers) {
        this.d = d;
        this.timers = timers;
        this.down = new boolean[d.maxVcpus()];
        this.initialised = new boolean[d.maxVcpus()];
        for (int i = 1; i < down.length; i++) {
            down[i] = true;
        }
        initialised[0] = true;
    }

    public XenTimers timers() {
        return timers;
    }

    /** {@code vcpu} made a request: it runs, so it was initialised and brought up. */
    public void running(int vcpu) {
        down[vcpu] = false;
        initialised[vcpu] = true;
    }

    /** Whether {@code vcpu} is down ({@code _VPF_down}). */
    public boolean isDown(int vcpu) {
        return down[vcpu];
    }

    /**
     * {@code domain_vcpu(d, vcpuid)}, the first check of every sub-op, before the cmd
     * (xen-abi.md §9 item 8).
     *
     * @return the vCPU, or null after recording -ENOENT
     */
    public XenVcpu lookup(Current current, int cmd, int vcpuid) {
        XenVcpu v = d.domainVcpu(vcpuid);
        if (v == null) {
            current.error(ENOENT, VcpuH.name(cmd) + ": no vcpu " + Integer.toUnsignedString(vcpuid));
        }
        return v;
    }

    /**
     * VCPUOP_initialise: a vCPU without a vcpu_info (id ≥ 32 that never registered one:
     * {@code v->vcpu_info == &dummy_vcpu_info}) is -EINVAL; then the {@code vcpu_hvm_context} copy
     * (-EFAULT), -EEXIST if initialised, and the boot itself, which the model does not do.
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_initialise)
     */
    public long initialise(Current current, XenVcpu v) {
        if (v.vcpuId() >= XenH.XEN_LEGACY_MAX_VCPUS) {
            return current.error(EINVAL, "VCPUOP_initialise: vcpu " + v.vcpuId() + " has no vcpu_info");
        }
        return current.unmodelled();
    }

    /**
     * VCPUOP_up: -EINVAL unless initialised; else clears {@code _VPF_down} and wakes it → 0.
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_up)
     */
    public long up(Current current, XenVcpu v) {
        if (!initialised[v.vcpuId()]) {
            return current.error(EINVAL, "VCPUOP_up: vcpu " + v.vcpuId() + " not initialised");
        }
        if (down[v.vcpuId()]) {
            down[v.vcpuId()] = false;
            current.note("VCPUOP_up: vcpu " + v.vcpuId() + " woken");
        }
        return 0;
    }

    /**
     * VCPUOP_down: when no other vCPU is up the domain is shut down with SHUTDOWN_poweroff (rc 0,
     * never seen: every vCPU is paused); else the target is marked down and put to sleep → 0.
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_down)
     */
    public long down(Current current, XenVcpu v) {
        boolean othersUp = false;
        for (int i = 0; i < down.length; i++) {
            if (i != v.vcpuId() && !down[i]) {
                othersUp = true;
                break;
            }
        }
        if (!othersUp) {
            int code = d.domainShutdown(SchedH.SHUTDOWN_poweroff);
            current.observed().shutdown(code);
            current.observed().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
            current.note("VCPUOP_down: last vcpu up, domain_shutdown(" + SchedH.shutdownName(code) + ")");
            return 0;
        }
        down[v.vcpuId()] = true;
        if (v == current.vcpu()) {
            current.observed().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        } else {
            current.note("VCPUOP_down: vcpu " + v.vcpuId() + " put to sleep");
        }
        return 0;
    }

    /**
     * VCPUOP_is_up: {@code !(v->pause_flags & VPF_down)}, 1 or 0.
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_is_up)
     */
    public long isUp(Current current, XenVcpu v) {
        return down[v.vcpuId()] ? 0 : 1;
    }

    /**
     * VCPUOP_set_periodic_timer, after the copy: {@code period_ns} (u64) below MILLISECS(1) or above
     * STIME_DELTA_MAX is -EINVAL (unsigned comparisons: the s_time_t constants convert to u64); then
     * {@code vcpu_set_periodic_timer()} on the target, which need not be the caller.
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_set_periodic_timer)
     */
    public long setPeriodicTimer(Current current, XenVcpu v, long periodNs) {
        if (Long.compareUnsigned(periodNs, VcpuH.MILLISECS_1) < 0) {
            return current.error(EINVAL, "VCPUOP_set_periodic_timer: period_ns < MILLISECS(1)");
        }
        if (Long.compareUnsigned(periodNs, VcpuH.STIME_DELTA_MAX) > 0) {
            return current.error(EINVAL, "VCPUOP_set_periodic_timer: period_ns > STIME_DELTA_MAX");
        }
        timers.vcpuSetPeriodicTimer(current, v, periodNs);
        return 0;
    }

    /** @see xen/common/domain.c common_vcpu_op (VCPUOP_stop_periodic_timer) */
    public long stopPeriodicTimer(Current current, XenVcpu v) {
        timers.vcpuSetPeriodicTimer(current, v, 0);
        return 0;
    }

    /**
     * VCPUOP_set_singleshot_timer on the caller itself (the dispatcher checked {@code v == current}
     * and copied): {@code timeout_abs_ns < NOW()} (u64 against s_time_t, so unsigned) stops the timer
     * and sends VIRQ_TIMER at once; otherwise the timer is set at {@code (s_time_t) timeout_abs_ns}.
     * The flags are ignored: 4.17.3 dropped VCPU_SSHOTTMR_future's -ETIME (commit 7b5155a79e).
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_set_singleshot_timer)
     */
    public long setSingleshotTimer(Current current, XenVcpu v, VcpuSetSingleshotTimer set) {
        if (Long.compareUnsigned(set.timeoutAbsNs(), current.nowNs()) < 0) {
            // "Simplify the logic if the timeout has already expired and just inject the event."
            timers.stopSingleshot(current, v);
            timers.sendTimerEvent(current, v);
            return 0;
        }
        timers.setSingleshot(current, v, set.timeoutAbsNs());
        return 0;
    }

    /** After the {@code v == current} check: {@code stop_timer(&v->singleshot_timer)} → 0. */
    public long stopSingleshotTimer(Current current, XenVcpu v) {
        timers.stopSingleshot(current, v);
        return 0;
    }

    /**
     * VCPUOP_register_vcpu_info after the copy: {@code map_vcpu_info()}'s checks in order — offset
     * &gt; PAGE_SIZE - 64 (-ENXIO), offset misaligned for vcpu_info (8 native, 4 with the 32-bit
     * shared_info latch; -ENXIO), already registered (-EINVAL: never, as the model never moves one),
     * a target that is neither the caller nor down (-EINVAL), a gfn with no writable page (-EINVAL)
     * — then the move, which the model does not make. Whatever map_vcpu_info() returned,
     * common_vcpu_op() then forces a vcpu_time_info update.
     *
     * @see xen/common/domain.c common_vcpu_op (VCPUOP_register_vcpu_info)
     */
    public long registerVcpuInfo(Current current, XenVcpu v, VcpuRegisterVcpuInfo info) {
        long rc = mapVcpuInfo(current, v, info);
        forceUpdateVcpuSystemTime(v);
        return rc;
    }

    /**
     * {@code force_update_vcpu_system_time(v)} (xen/arch/x86/time.c): {@code __update_vcpu_system_time(v, 1)}
     * rewrites vcpu_time_info from the CPU's last calibration stamp, not from NOW(), so only the
     * version moves (+2) between calibrations; the model's stamp is the vCPU's last time update.
     */
    private void forceUpdateVcpuSystemTime(XenVcpu v) {
        d.updateVcpuSystemTime(v, v.lastTimeUpdateNs);
    }

    /** @see xen/common/domain.c map_vcpu_info */
    private long mapVcpuInfo(Current current, XenVcpu v, VcpuRegisterVcpuInfo info) {
        if (Integer.toUnsignedLong(info.offset()) > XenH.PAGE_SIZE - VcpuH.VCPU_INFO_SIZE) {
            return current.error(ENXIO, "map_vcpu_info: offset > PAGE_SIZE - sizeof(vcpu_info)");
        }
        int align = d.sharedInfo().has32bitShinfo() ? VcpuH.VCPU_INFO_ALIGN_COMPAT : VcpuH.VCPU_INFO_ALIGN_NATIVE;
        if ((info.offset() & (align - 1)) != 0) {
            return current.error(ENXIO, "map_vcpu_info: offset not " + align + "-byte aligned");
        }
        if (v != current.vcpu() && !down[v.vcpuId()]) {
            return current.error(EINVAL, "map_vcpu_info: vcpu " + v.vcpuId() + " is another running vcpu");
        }
        if (!writableGfn(info.mfn())) {
            return current.error(EINVAL, "map_vcpu_info: gfn 0x" + Long.toHexString(info.mfn()) + " has no writable page");
        }
        return current.unmodelled();
    }

    /** {@code get_page_from_gfn()} + {@code get_page_type(PGT_writable_page)}: RAM or a Xen page shared with the domain. */
    private boolean writableGfn(long gfn) {
        if (gfn < 0 || gfn >= PhysMap.P2M_GFN_LIMIT) {
            return false;
        }
        PhysMap.Kind k = d.p2m().kindAt(gfn);
        return k == PhysMap.Kind.RAM || k == PhysMap.Kind.SHARED_INFO || k == PhysMap.Kind.GRANT_TABLE;
    }

    /**
     * VCPUOP_send_nmi: a non-NULL argument is -EINVAL; the NMI itself is not modelled.
     *
     * @see xen/arch/x86/domain.c do_vcpu_op (VCPUOP_send_nmi)
     */
    public long sendNmi(Current current, XenVcpu v, long arg) {
        if (arg != 0) {
            return current.error(EINVAL, "VCPUOP_send_nmi: argument not NULL");
        }
        return current.unmodelled();
    }

    /**
     * VCPUOP_get_physid: only a hardware domain's pinned vCPU has one → -EINVAL for a domU.
     *
     * @see xen/arch/x86/domain.c do_vcpu_op (VCPUOP_get_physid)
     */
    public long getPhysid(Current current, XenVcpu v) {
        return current.error(EINVAL, "VCPUOP_get_physid: not a hwdom-pinned vcpu");
    }
}
