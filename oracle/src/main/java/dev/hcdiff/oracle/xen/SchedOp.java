package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.xen.XenDomain.Lookup;
import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.SchedPoll;
import dev.hcdiff.oracle.xen.abi.SchedRemoteShutdown;
import dev.hcdiff.oracle.xen.abi.SchedShutdown;
import dev.hcdiff.oracle.xen.abi.SchedWatchdog;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.VcpuState;

import java.util.List;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSPC;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * The sched_op sub-ops of {@code xen/common/sched/core.c do_sched_op()} (Xen 4.17.7). Blocking is
 * an observation, not a wait: the vCPU state says what the vCPU waits for and the recorder acts on
 * it. Virtual time is Xen's system time ({@code NOW()}).
 */
public final class SchedOp {

    /** {@code SECONDS(1)} in ns. */
    private static final long NS_PER_SEC = 1_000_000_000L;

    /** Reads the {@code i}-th port of a SCHEDOP_poll array from the guest. */
    @FunctionalInterface
    public interface PortReader {
        int port(int i) throws GuestFault;
    }

    private final XenDomain d;
    private final EventChannels evtchn;

    public SchedOp(XenDomain d, EventChannels evtchn) {
        this.d = d;
        this.evtchn = evtchn;
    }

    /** @see xen/common/sched/core.c vcpu_yield */
    public long yield(Current current) {
        return 0;
    }

    /**
     * {@code vcpu_block_enable_events()}: clears evtchn_upcall_mask, then blocks unless an event is
     * deliverable already; returns 0 when the vCPU resumes.
     *
     * @see xen/common/sched/core.c vcpu_block_enable_events
     */
    public long block(Current current) {
        XenVcpu v = current.vcpu();
        d.sharedInfo().clearUpcallMask(v.vcpuId());
        if (!d.localEventsNeedDelivery(v)) {
            current.observed().vcpu(new VcpuState(VcpuState.Run.BLOCKED, -1, List.of()));
        }
        return 0;
    }

    /**
     * {@code domain_shutdown(current->domain, (u8)reason)}: the reason is not range-checked, the
     * first code latched wins, all vCPUs stop and the call never returns.
     *
     * @return the shutdown code in force
     * @see xen/common/domain.c domain_shutdown
     */
    public int shutdown(Current current, SchedShutdown arg) {
        int code = d.domainShutdown(arg.reason() & 0xff);
        current.observed().shutdown(code);
        current.observed().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        current.note("domain_shutdown(" + SchedH.shutdownName(code) + ")");
        return code;
    }

    /**
     * Polls ports: nr_ports &gt; 128 is -EINVAL; a deliverable event returns 0 at once; each port is
     * copied (-EFAULT) and checked (-EINVAL if not valid or not usable); a pending one returns 0;
     * otherwise the vCPU blocks until an event on the single polled port (on any port when
     * nr_ports ≠ 1) or the absolute {@code timeout} (0 = none; a negative s_time_t is already past).
     *
     * @see xen/common/sched/core.c do_poll
     */
    public long poll(Current current, SchedPoll arg, PortReader ports) {
        if (Integer.toUnsignedLong(arg.nrPorts()) > SchedH.POLL_MAX_PORTS) {
            return current.error(EINVAL, "do_poll: nr_ports > 128");
        }
        if (d.localEventsNeedDelivery(current.vcpu())) {
            current.note("do_poll: events need delivery");
            return 0;
        }
        int port = 0;
        for (int i = 0; i < arg.nrPorts(); i++) {
            try {
                port = ports.port(i);
            } catch (GuestFault f) {
                return current.error(EFAULT, "do_poll: copy of ports[" + i + "]");
            }
            int rc = evtchn.evtchnPortPoll(port);
            if (rc < 0) {
                return current.error(-rc, "do_poll: port " + Integer.toUnsignedString(port) + " not valid or not usable");
            }
            if (rc > 0) {
                current.note("do_poll: port " + port + " already pending");
                return 0;
            }
        }
        List<Integer> waitsOn = arg.nrPorts() == 1 ? List.of(port) : List.of();
        long deadline = arg.timeout() == 0 ? -1 : Math.max(arg.timeout(), 0);
        current.observed().vcpu(new VcpuState(VcpuState.Run.BLOCKED, deadline, waitsOn));
        return 0;
    }

    /**
     * Another domain's shutdown: looked up by id only (DOMID_SELF is -ESRCH), then XSM_DM_PRIV
     * refuses a domU, even for itself.
     *
     * @see xen/common/sched/core.c do_sched_op (SCHEDOP_remote_shutdown)
     */
    public long remoteShutdown(Current current, SchedRemoteShutdown arg) {
        Lookup target = d.lockDomainById(arg.domainId());
        if (target == Lookup.NONE) {
            return current.error(ESRCH, "SCHEDOP_remote_shutdown: no domain " + arg.domainId());
        }
        return current.error(EPERM, "SCHEDOP_remote_shutdown: XSM_DM_PRIV");
    }

    /**
     * Latches the code a later shutdown will report, if none is set.
     *
     * @see xen/common/sched/core.c do_sched_op (SCHEDOP_shutdown_code)
     */
    public long shutdownCode(Current current, SchedShutdown arg) {
        d.latchShutdownCode(arg.reason() & 0xff);
        return 0;
    }

    /**
     * The domain's two watchdogs: id &gt; 2 is -EINVAL; id 0 takes a free timer and returns its
     * id + 1 (or -ENOSPC); an id not in use is -EINVAL; timeout 0 stops it, anything else re-arms it
     * at {@code NOW() + SECONDS(timeout)}. Armed and stopped timers are reported as
     * {@code watchdog0}/{@code watchdog1} on the calling vCPU; expiry shuts the domain down
     * (SHUTDOWN_watchdog), which the recorder delivers.
     *
     * @see xen/common/sched/core.c domain_watchdog
     */
    public long watchdog(Current current, SchedWatchdog arg) {
        long id = Integer.toUnsignedLong(arg.id());
        long deadline = current.nowNs() + Integer.toUnsignedLong(arg.timeout()) * NS_PER_SEC;
        if (id > SchedH.NR_DOMAIN_WATCHDOG_TIMERS) {
            return current.error(EINVAL, "domain_watchdog: id > NR_DOMAIN_WATCHDOG_TIMERS");
        }
        if (id == 0) {
            for (int i = 0; i < SchedH.NR_DOMAIN_WATCHDOG_TIMERS; i++) {
                if ((d.watchdogInuseMap & (1 << i)) != 0) {
                    continue;
                }
                d.watchdogInuseMap |= 1 << i;
                current.observed().timer(new TimerArm(current.vcpu().vcpuId(), "watchdog" + i, deadline, 0));
                return i + 1;
            }
            return current.error(ENOSPC, "domain_watchdog: both timers in use");
        }
        int i = (int) id - 1;
        if ((d.watchdogInuseMap & (1 << i)) == 0) {
            return current.error(EINVAL, "domain_watchdog: watchdog " + id + " not in use");
        }
        if (arg.timeout() == 0) {
            d.watchdogInuseMap &= ~(1 << i);
            current.observed().timer(new TimerArm(current.vcpu().vcpuId(), "watchdog" + i, -1, 0));
        } else {
            current.observed().timer(new TimerArm(current.vcpu().vcpuId(), "watchdog" + i, deadline, 0));
        }
        return 0;
    }

    /**
     * Only the hardware domain may pin; checked before the argument is copied.
     *
     * @see xen/common/sched/core.c do_sched_op (SCHEDOP_pin_override)
     */
    public long pinOverride(Current current) {
        return current.error(EPERM, "SCHEDOP_pin_override: not the hardware domain");
    }
}
