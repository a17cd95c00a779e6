package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.hyperv.HvTime;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.platform.SharedInfo;
import dev.hcdiff.oracle.xen.platform.TimeScale;

/**
 * Xen's {@code vcpu_time_info} in the adapter's shared_info mirror, synthesised from the Hyper-V
 * partition's clock (hyperv-abi.md §7, "From Xen vcpu_time_info to Hyper-V" in reverse):
 * <ul>
 *   <li>{@code tsc_timestamp}: the TSC at the update (RDTSC, the same CPU under both);</li>
 *   <li>{@code system_time}: the reference time at that TSC, from the reference TSC page
 *       (RefTime = ((TSC × TscScale) &gt;&gt; 64) + TscOffset), × 100 to ns. Hyper-V time starts at
 *       partition creation, which is where the adapter puts Xen's system time 0
 *       (ns_at_partition_create = 0). The unit conversion is exact; the clock's 100 ns resolution is
 *       not Xen's ns, so system_time is up to 199 ns early (catalogued as
 *       {@code vcpu-time-100ns});</li>
 *   <li>{@code tsc_to_system_mul}/{@code tsc_shift}: Xen's {@code set_time_scale()} of the TSC
 *       frequency HV_X64_MSR_TSC_FREQUENCY reports, which is exactly what Xen computes from the same
 *       frequency ({@link TimeScale});</li>
 *   <li>{@code flags}: 0, as the Debian Xen the adapter presents writes them
 *       ({@code __update_vcpu_system_time()} sets TSC_STABLE only with clocksource=tsc). A valid TSC
 *       page would justify TSC_STABLE; the adapter keeps Xen's default so guests take the same
 *       clock path.</li>
 * </ul>
 * Updates follow Xen's schedule, which the guest relies on: at domain creation (system time 0),
 * when a request arrives in a later virtual second than the vCPU's last update (Xen's calibration
 * every EPOCH = 1 s, {@code local_time_calibration()}) and after the vCPU blocked (a context switch,
 * {@code update_vcpu_system_time()}); each update is Xen's version protocol
 * ({@link SharedInfo#updateVcpuTime}).
 */
final class AdapterTime {

    /** xen/arch/x86/time.c EPOCH = MILLISECS(1000). */
    static final long EPOCH_NS = 1_000_000_000L;
    /** The flags the presented Xen writes (xen/arch/x86/time.c: TSC_STABLE only with clocksource=tsc). */
    static final int FLAGS = 0;

    private final SharedInfo shinfo;
    private final HvLink hv;
    private final long[] lastUpdateNs;
    private final boolean[] blocked;
    /** Xen's per-vCPU timers and the synthetic timers they run on ({@link TimerOps}). */
    final TimerOps.State xenTimers;
    /** Xen's per-vCPU run state ({@link VcpuOps}). */
    final VcpuOps.RunState run;

    AdapterTime(SharedInfo shinfo, HvLink hv, int vcpus) {
        this.shinfo = shinfo;
        this.hv = hv;
        this.lastUpdateNs = new long[vcpus];
        this.blocked = new boolean[vcpus];
        this.xenTimers = new TimerOps.State(hv.partition(), vcpus);
        this.run = new VcpuOps.RunState(vcpus);
        for (int v = 0; v < vcpus; v++) {
            update(v, 0, step -> { });
        }
    }

    /**
     * Before a request from {@code vcpu} at {@code nowNs}, ahead of {@link #refresh} (Xen runs the
     * periodic timer work of the vCPU it schedules in before the context switch updates its time):
     * the vCPU runs, and the Xen timers due by now fire ({@link TimerOps#expire}).
     */
    void beforeRequest(AdapterState s, int vcpu, long nowNs, dev.hcdiff.trace.record.Observation.Builder out) {
        run.running(vcpu);
        TimerOps.expire(s, vcpu, nowNs, out);
    }

    /** Whether {@code vcpu} blocked since its last request (Xen descheduled it and stopped its periodic timer). */
    boolean descheduled(int vcpu) {
        return blocked[vcpu];
    }

    /** The vCPU blocked (SCHEDOP_block, a poll that waits): its next request is a context switch. */
    void blocked(int vcpu) {
        blocked[vcpu] = true;
    }

    /** Refreshes {@code vcpu}'s time before serving a request at {@code nowNs}, on Xen's schedule. */
    void refresh(int vcpu, long nowNs, java.util.function.Consumer<String> trail) {
        if (blocked[vcpu] || Long.divideUnsigned(nowNs, EPOCH_NS) != Long.divideUnsigned(lastUpdateNs[vcpu], EPOCH_NS)) {
            blocked[vcpu] = false;
            update(vcpu, nowNs, trail);
        }
    }

    /**
     * Xen's {@code force_update_vcpu_system_time(v)}: vcpu_time_info rewritten from the last
     * calibration stamp (the vCPU's last update here), so only its version moves.
     */
    void forceUpdate(int vcpu, java.util.function.Consumer<String> trail) {
        update(vcpu, lastUpdateNs[vcpu], trail);
    }

    private void update(int vcpu, long nowNs, java.util.function.Consumer<String> trail) {
        if (vcpu >= XenH.XEN_LEGACY_MAX_VCPUS) {
            return;
        }
        HvLink.Clock c = hv.clock(vcpu, nowNs);
        TimeScale scale = c.tscHz() > 0 ? TimeScale.of(c.tscHz()) : new TimeScale(0, 0);
        long systemTime = c.refTime() < 0 ? 0 : c.refTime() * HvTime.NS_PER_TICK;
        shinfo.updateVcpuTime(vcpu, c.tsc(), systemTime, scale.mulFrac(), scale.shift(), FLAGS);
        lastUpdateNs[vcpu] = nowNs;
        trail.accept(String.format("vcpu_time_info of vcpu %d from %s: tsc 0x%x, %d x 100 ns; TSC_FREQUENCY %d Hz",
                vcpu, c.source(), c.tsc(), c.refTime(), c.tscHz()));
    }
}
