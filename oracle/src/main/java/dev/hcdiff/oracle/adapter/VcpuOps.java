package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.VcpuH;
import dev.hcdiff.oracle.xen.abi.VcpuRegisterVcpuInfo;
import dev.hcdiff.oracle.xen.abi.VcpuSetPeriodicTimer;
import dev.hcdiff.oracle.xen.abi.VcpuSetSingleshotTimer;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.VcpuState;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_down;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_get_physid;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_get_runstate_info;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_initialise;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_is_up;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_runstate_memory_area;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_vcpu_info;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_vcpu_time_memory_area;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_send_nmi;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_set_periodic_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_set_singleshot_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_stop_periodic_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_stop_singleshot_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_up;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENXIO;

/**
 * vcpu_op (24) under the adapter, checks in Xen 4.17.7's order ({@code do_vcpu_op()},
 * {@code common_vcpu_op()}, {@code compat_vcpu_op()}; xen-abi.md §5.6): the vCPU lookup (-ENOENT)
 * before the cmd; natively set_singleshot_timer refuses another vCPU before copying, the compat
 * path copies first. Timers map onto synthetic timers ({@link TimerOps}); a vCPU's run state
 * ({@code _VPF_down}, {@code is_initialised}) is the adapter's, because a Hyper-V guest has no
 * call that parks a VP or asks whether one runs (TLFS: HvCallStartVirtualProcessor is for the
 * parent or needs StartVirtualProcessor, and nothing stops one). What the reference leaves
 * unmodelled the adapter answers the same (-ENOSYS, trail {@value Call#UNMODELLED}).
 */
final class VcpuOps {

    /** The 8-byte guest handle of the register_*_memory_area structs (4 in compat). */
    private static final int HANDLE_64 = 8, HANDLE_32 = 4;

    private VcpuOps() {
    }

    /** Per vCPU: Xen's {@code _VPF_down} and {@code is_initialised}; vCPU 0 starts up, the APs down. */
    static final class RunState {
        final boolean[] down;
        final boolean[] initialised;

        RunState(int vcpus) {
            down = new boolean[vcpus];
            initialised = new boolean[vcpus];
            for (int i = 1; i < vcpus; i++) {
                down[i] = true;
            }
            initialised[0] = true;
        }

        /** A vCPU that makes a request was started (INIT-SIPI) and runs. */
        void running(int vcpu) {
            down[vcpu] = false;
            initialised[vcpu] = true;
        }
    }

    static long dispatch(AdapterState s, Call c, int cmd, int vcpuid, long arg, GuestMemory m) {
        if (!s.vcpuExists(vcpuid)) {
            return c.error(ENOENT, VcpuH.name(cmd) + ": no vcpu " + Integer.toUnsignedString(vcpuid));
        }
        int v = vcpuid;
        boolean compat = c.abi() == Abi.XEN32;
        return switch (cmd) {
            case VCPUOP_initialise -> initialise(c, v);
            case VCPUOP_up -> up(s, c, v);
            case VCPUOP_down -> down(s, c, v);
            case VCPUOP_is_up -> isUp(s, v);
            case VCPUOP_get_runstate_info -> runstateInfo(c);
            case VCPUOP_register_runstate_memory_area, VCPUOP_register_vcpu_time_memory_area -> memoryArea(c, cmd, arg, m, compat);
            case VCPUOP_set_periodic_timer -> ArgCopy.in(c, m, arg, "VCPUOP_set_periodic_timer", VcpuSetPeriodicTimer::size,
                    VcpuSetPeriodicTimer::decode, a -> setPeriodicTimer(s, c, v, a.periodNs()));
            case VCPUOP_stop_periodic_timer -> stopPeriodicTimer(s, c, v);
            case VCPUOP_set_singleshot_timer -> {
                if (!compat && v != c.vcpu()) {
                    yield notCurrent(c, "VCPUOP_set_singleshot_timer", v);
                }
                yield ArgCopy.in(c, m, arg, "VCPUOP_set_singleshot_timer", VcpuSetSingleshotTimer::size,
                        VcpuSetSingleshotTimer::decode, a -> v != c.vcpu() ? notCurrent(c, "VCPUOP_set_singleshot_timer", v)
                                : setSingleshotTimer(s, c, a));
            }
            case VCPUOP_stop_singleshot_timer -> v != c.vcpu() ? notCurrent(c, "VCPUOP_stop_singleshot_timer", v)
                    : stopSingleshotTimer(s, c);
            case VCPUOP_register_vcpu_info -> ArgCopy.in(c, m, arg, "VCPUOP_register_vcpu_info", VcpuRegisterVcpuInfo::size,
                    VcpuRegisterVcpuInfo::decode, a -> registerVcpuInfo(s, c, v, a));
            case VCPUOP_send_nmi -> sendNmi(c, arg);
            case VCPUOP_get_physid -> getPhysid(c);
            default -> c.error(ENOSYS, "vcpu_op: unknown cmd " + cmd);
        };
    }

    private static long notCurrent(Call c, String op, int v) {
        return c.error(EINVAL, op + ": vcpu " + v + " is not current");
    }

    /** Xen: a vCPU ≥ 32 without a vcpu_info is -EINVAL; the HVM boot context past it is unmodelled, as in the reference. */
    @Covers(call = "VCPUOP_initialise", as = Realisation.EMULATED, via = "adapter: Xen's vcpu_info check; the vcpu_hvm_context boot is unmodelled as in the reference")
    static long initialise(Call c, int v) {
        if (v >= XenH.XEN_LEGACY_MAX_VCPUS) {
            return c.error(EINVAL, "VCPUOP_initialise: vcpu " + v + " has no vcpu_info");
        }
        return c.unmodelled();
    }

    @Covers(call = "VCPUOP_up", as = Realisation.EMULATED, via = "adapter run state: no Hyper-V guest call starts a stopped VP")
    static long up(AdapterState s, Call c, int v) {
        VcpuOps.RunState r = s.time.run;
        if (!r.initialised[v]) {
            return c.error(EINVAL, "VCPUOP_up: vcpu " + v + " not initialised");
        }
        r.down[v] = false;
        return 0;
    }

    /** Xen: the last vCPU up powers the domain off (never returns); else the target is parked. */
    @Covers(call = "VCPUOP_down", as = Realisation.EMULATED, via = "adapter run state; the last vCPU down stops the domain (no Hyper-V poweroff call)")
    static long down(AdapterState s, Call c, int v) {
        VcpuOps.RunState r = s.time.run;
        boolean othersUp = false;
        for (int i = 0; i < r.down.length; i++) {
            othersUp |= i != v && !r.down[i];
        }
        if (!othersUp) {
            s.latchShutdown(SchedH.SHUTDOWN_poweroff);
            c.out().shutdown(s.shutdownCode);
            c.out().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
            c.note("VCPUOP_down: last vcpu up, adapter stops the domain (" + SchedH.shutdownName(s.shutdownCode) + ")");
            return SchedOps.NO_RETURN;
        }
        r.down[v] = true;
        if (v == c.vcpu()) {
            c.out().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        } else {
            c.note("VCPUOP_down: vcpu " + v + " parked by the adapter");
        }
        return 0;
    }

    @Covers(call = "VCPUOP_is_up", as = Realisation.EMULATED, via = "adapter run state")
    static long isUp(AdapterState s, int v) {
        return s.time.run.down[v] ? 0 : 1;
    }

    @Covers(call = "VCPUOP_get_runstate_info", as = Realisation.EMULATED, via = "unmodelled as in the reference (Hyper-V's per-VP run time is not Xen's runstate accounting)")
    static long runstateInfo(Call c) {
        return c.unmodelled();
    }

    @Covers(call = "VCPUOP_register_runstate_memory_area", as = Realisation.EMULATED, via = "argument copy as Xen; the area itself is unmodelled as in the reference")
    @Covers(call = "VCPUOP_register_vcpu_time_memory_area", as = Realisation.EMULATED, via = "argument copy as Xen; the second vcpu_time_info is unmodelled as in the reference")
    static long memoryArea(Call c, int cmd, long arg, GuestMemory m, boolean compat) {
        try {
            m.readLinear(arg, compat ? HANDLE_32 : HANDLE_64);
        } catch (GuestFault f) {
            return c.error(EFAULT, VcpuH.name(cmd) + ": copy in");
        }
        return c.unmodelled();
    }

    /** Xen: period_ns (u64) below 1 ms or above STIME_DELTA_MAX is -EINVAL; the target need not be the caller. */
    @Covers(call = "VCPUOP_set_periodic_timer", as = Realisation.MAPPED, via = "HV_X64_MSR_STIMER1_COUNT one-shot, re-armed at each Xen tick (Xen's phase, not a periodic STIMER's)", gap = "hyperv-timer-100ns")
    static long setPeriodicTimer(AdapterState s, Call c, int v, long periodNs) {
        if (Long.compareUnsigned(periodNs, VcpuH.MILLISECS_1) < 0) {
            return c.error(EINVAL, "VCPUOP_set_periodic_timer: period_ns < MILLISECS(1)");
        }
        if (Long.compareUnsigned(periodNs, VcpuH.STIME_DELTA_MAX) > 0) {
            return c.error(EINVAL, "VCPUOP_set_periodic_timer: period_ns > STIME_DELTA_MAX");
        }
        TimerOps.setPeriodic(s, c, v, periodNs);
        return 0;
    }

    @Covers(call = "VCPUOP_stop_periodic_timer", as = Realisation.MAPPED, via = "HV_X64_MSR_STIMER1_COUNT = 0")
    static long stopPeriodicTimer(AdapterState s, Call c, int v) {
        TimerOps.setPeriodic(s, c, v, 0);
        return 0;
    }

    /**
     * Xen 4.17.7: {@code timeout_abs_ns < NOW()} (unsigned) fires VIRQ_TIMER at once whatever the
     * flags; else the timer is set at {@code (s_time_t) timeout_abs_ns}.
     */
    @Covers(call = "VCPUOP_set_singleshot_timer", as = Realisation.MAPPED, via = "HV_X64_MSR_STIMER0_COUNT = ceil(ns / 100), one-shot on SINT1; a past deadline is VIRQ_TIMER at once", gap = "hyperv-timer-100ns")
    static long setSingleshotTimer(AdapterState s, Call c, VcpuSetSingleshotTimer set) {
        if (Long.compareUnsigned(set.timeoutAbsNs(), c.nowNs()) < 0) {
            TimerOps.stopSingleshot(s, c, c.vcpu());
            TimerOps.sendTimerEvent(s, c.vcpu(), c.out());
            return 0;
        }
        TimerOps.setSingleshot(s, c, c.vcpu(), set.timeoutAbsNs());
        return 0;
    }

    @Covers(call = "VCPUOP_stop_singleshot_timer", as = Realisation.MAPPED, via = "HV_X64_MSR_STIMER0_COUNT = 0")
    static long stopSingleshotTimer(AdapterState s, Call c) {
        TimerOps.stopSingleshot(s, c, c.vcpu());
        return 0;
    }

    /**
     * Xen's {@code map_vcpu_info()} checks in order: offset, alignment (8, or 4 with the compat
     * shared_info), another running vCPU, a gfn with no writable page; the move itself is
     * unmodelled as in the reference.
     */
    @Covers(call = "VCPUOP_register_vcpu_info", as = Realisation.EMULATED, via = "adapter checks in map_vcpu_info() order over its frame book; the move is unmodelled as in the reference")
    static long registerVcpuInfo(AdapterState s, Call c, int v, VcpuRegisterVcpuInfo info) {
        long rc = mapVcpuInfo(s, c, v, info);
        // common_vcpu_op() forces a vcpu_time_info update whatever map_vcpu_info() returned.
        s.time.forceUpdate(v, c::note);
        return rc;
    }

    private static long mapVcpuInfo(AdapterState s, Call c, int v, VcpuRegisterVcpuInfo info) {
        if (Integer.toUnsignedLong(info.offset()) > XenH.PAGE_SIZE - VcpuH.VCPU_INFO_SIZE) {
            return c.error(ENXIO, "map_vcpu_info: offset > PAGE_SIZE - sizeof(vcpu_info)");
        }
        int align = s.shinfo.has32bitShinfo() ? VcpuH.VCPU_INFO_ALIGN_COMPAT : VcpuH.VCPU_INFO_ALIGN_NATIVE;
        if ((info.offset() & (align - 1)) != 0) {
            return c.error(ENXIO, "map_vcpu_info: offset not " + align + "-byte aligned");
        }
        if (v != c.vcpu() && !s.time.run.down[v]) {
            return c.error(EINVAL, "map_vcpu_info: vcpu " + v + " is another running vcpu");
        }
        if (!writableGfn(s, info.mfn())) {
            return c.error(EINVAL, "map_vcpu_info: gfn 0x" + Long.toHexString(info.mfn()) + " has no writable page");
        }
        return c.unmodelled();
    }

    /** {@code get_page_from_gfn()} + a writable type: RAM or the shared_info page (the APIC page is not RAM). */
    private static boolean writableGfn(AdapterState s, long gfn) {
        if (gfn < 0 || gfn >= P2M_GFN_LIMIT) {
            return false;
        }
        AdapterPhysmap.Kind k = s.physmap.kindAt(gfn);
        return k == AdapterPhysmap.Kind.RAM || k == AdapterPhysmap.Kind.SHARED_INFO;
    }

    /** Frames a 4-level second-level table maps: below 2^36 (xen/arch/x86/mm/p2m-ept.c; AdapterPhysmap). */
    private static final long P2M_GFN_LIMIT = 1L << 36;

    @Covers(call = "VCPUOP_send_nmi", as = Realisation.EMULATED, via = "argument check as Xen; the NMI is unmodelled as in the reference")
    static long sendNmi(Call c, long arg) {
        if (arg != 0) {
            return c.error(EINVAL, "VCPUOP_send_nmi: argument not NULL");
        }
        return c.unmodelled();
    }

    @Covers(call = "VCPUOP_get_physid", as = Realisation.EMULATED, via = "adapter policy as Xen: only a hardware domain's pinned vCPU has one, -EINVAL")
    static long getPhysid(Call c) {
        return c.error(EINVAL, "VCPUOP_get_physid: not a hwdom-pinned vcpu");
    }
}
