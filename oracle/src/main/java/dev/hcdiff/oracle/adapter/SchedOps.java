package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
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
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * sched_op (29) under the adapter, hyperv-abi.md §8a: yield is HvCallNotifyLongSpinWait; block
 * is a native HLT after clearing evtchn_upcall_mask (GUEST_IDLE would fit, but KVM and Xen
 * viridian do not implement it and the model does not offer it); shutdown(crash) goes to the root
 * through the crash MSRs; poll, the other shutdowns and the watchdogs have no Hyper-V counterpart
 * and are emulated from the adapter's state with Xen's observable behaviour (xen-abi.md §5.4,
 * {@code xen/common/sched/core.c}).
 */
final class SchedOps {

    /** The result of a call that never returns (SCHEDOP_shutdown): the observation has no returns. */
    static final long NO_RETURN = Long.MIN_VALUE;
    /** sizeof(evtchn_port_t), one entry of the poll array. */
    private static final int PORT_SIZE = 4;
    /** SECONDS(1) in ns. */
    private static final long NS_PER_SEC = 1_000_000_000L;

    private final AdapterState s;
    private final EventChannelOps evtchn;

    SchedOps(AdapterState s, EventChannelOps evtchn) {
        this.s = s;
        this.evtchn = evtchn;
    }

    @Covers(call = "SCHEDOP_shutdown_code", as = Realisation.EMULATED, via = "adapter state: the first shutdown code is latched")
    @Covers(call = "SCHEDOP_pin_override", as = Realisation.EMULATED, via = "adapter policy as Xen: not the hardware domain, -EPERM")
    long dispatch(Call c, int cmd, long arg, GuestMemory m) {
        return switch (cmd) {
            case SchedH.SCHEDOP_yield -> this.yield(c);
            case SchedH.SCHEDOP_block -> block(c);
            case SchedH.SCHEDOP_shutdown -> ArgCopy.in(c, m, arg, "SCHEDOP_shutdown", SchedShutdown::size,
                    SchedShutdown::decode, a -> shutdown(c, a.reason()));
            case SchedH.SCHEDOP_shutdown_code -> ArgCopy.in(c, m, arg, "SCHEDOP_shutdown_code", SchedShutdown::size,
                    SchedShutdown::decode, a -> {
                        latch(a.reason());
                        return 0L;
                    });
            case SchedH.SCHEDOP_poll -> ArgCopy.in(c, m, arg, "SCHEDOP_poll", SchedPoll::size, SchedPoll::decode,
                    a -> poll(c, a, m));
            case SchedH.SCHEDOP_remote_shutdown -> ArgCopy.in(c, m, arg, "SCHEDOP_remote_shutdown",
                    SchedRemoteShutdown::size, SchedRemoteShutdown::decode, a -> remoteShutdown(c, a));
            case SchedH.SCHEDOP_watchdog -> ArgCopy.in(c, m, arg, "SCHEDOP_watchdog", SchedWatchdog::size,
                    SchedWatchdog::decode, a -> watchdog(c, a));
            case SchedH.SCHEDOP_pin_override -> c.error(EPERM, "pin_override: not the hardware domain");
            default -> c.error(ENOSYS, "sched_op: unknown cmd " + cmd);
        };
    }

    /** SCHEDOP_yield → HvCallNotifyLongSpinWait: advisory in both ABIs, 0 / SUCCESS. */
    @Covers(call = "SCHEDOP_yield", as = Realisation.MAPPED, via = "HvCallNotifyLongSpinWait (advisory in both ABIs)")
    long yield(Call c) {
        return StatusMap.toXen(s.hv.notifyLongSpinWait(c.vcpu(), c::note));
    }

    /**
     * SCHEDOP_block: clear evtchn_upcall_mask, then halt unless an event already waits for
     * delivery. No Hyper-V call: the vCPU halts natively.
     */
    @Covers(call = "SCHEDOP_block", as = Realisation.EMULATED, via = "shared_info mirror: evtchn_upcall_mask cleared, then a native HLT (GUEST_IDLE is not offered)")
    long block(Call c) {
        s.shinfo.clearUpcallMask(c.vcpu());
        if (!s.events.needDelivery(c.vcpu())) {
            c.out().vcpu(new VcpuState(VcpuState.Run.BLOCKED, -1, List.of()));
        }
        c.note("SCHEDOP_block: native HLT (no Hyper-V call; GUEST_IDLE not offered)");
        return 0;
    }

    /**
     * SCHEDOP_shutdown (hyperv-abi.md §8a): crash is reported to the root through the crash MSRs
     * ({@link #crashDomain}); reboot would be RESET ← 1, which a default partition lacks the
     * privilege for (AccessResetReg) and the model does not implement; poweroff and suspend have no
     * Hyper-V form (guests power off through ACPI or VMBus). What the guest observes is Xen's: the
     * first code wins, every vCPU stops, the call never returns.
     */
    @Covers(call = "SCHEDOP_shutdown", as = Realisation.MAPPED, via = "crash: HV_X64_MSR_CRASH_P0-P4 and CRASH_CTL (CrashNotify) to the root; reboot, poweroff, suspend: the adapter stops the domain")
    long shutdown(Call c, int reason) {
        if ((reason & 0xff) == SchedH.SHUTDOWN_crash) {
            return crashDomain(c, SchedH.SHUTDOWN_crash, "SCHEDOP_shutdown(crash)");
        }
        latch(reason);
        c.out().shutdown(s.shutdownCode);
        c.out().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        String how = (reason & 0xff) == SchedH.SHUTDOWN_reboot
                ? "RESET MSR not offered (AccessResetReg, not modelled)" : "no Hyper-V shutdown call";
        c.note("SCHEDOP_shutdown(" + SchedH.shutdownName(s.shutdownCode) + "): adapter stops the domain (" + how + ")");
        return NO_RETURN;
    }

    /**
     * The domain crashes ({@code domain_shutdown(d, SHUTDOWN_crash)} from SCHEDOP_shutdown, or
     * {@code domain_crash()} on a bad request): the guest crash MSRs tell the root, CRASH_P0 = the
     * Xen shutdown reason {@code reason}, P1 = the domain id, P2 = the vCPU, P3 and P4 = 0 (no crash
     * message: TLFS "Partitions", CrashMessage uses them for its GPA and length), then CRASH_CTL =
     * CrashNotify. The guest observes Xen's shutdown: the first code wins, every vCPU stops, no return.
     */
    long crashDomain(Call c, int reason, String why) {
        latch(reason);
        boolean told = s.hv.reportCrash(c.vcpu(), new long[] {reason, s.domid(), c.vcpu(), 0, 0}, c::note);
        c.out().shutdown(s.shutdownCode);
        c.out().vcpu(new VcpuState(VcpuState.Run.DOWN, -1, List.of()));
        c.note(why + ": domain crashed, code " + SchedH.shutdownName(s.shutdownCode)
                + (told ? " (reported to the root)" : " (the partition refused the crash MSRs; the adapter stops it)"));
        return NO_RETURN;
    }

    /**
     * SCHEDOP_poll, emulated (Hyper-V cannot wait for chosen ports): more than 128 ports → -EINVAL;
     * an event already deliverable returns 0; each port is copied (-EFAULT) and must be usable
     * (-EINVAL); a pending one returns 0; otherwise the vCPU blocks until that port (if it is the
     * only one) or any event, or until the absolute timeout (0 = none).
     */
    @Covers(call = "SCHEDOP_poll", as = Realisation.EMULATED, via = "adapter port table and shared_info mirror: Hyper-V cannot wait on chosen ports, the vCPU blocks as under Xen")
    long poll(Call c, SchedPoll a, GuestMemory m) {
        if (Integer.toUnsignedLong(a.nrPorts()) > SchedH.POLL_MAX_PORTS) {
            return c.error(EINVAL, "poll: nr_ports > 128");
        }
        if (s.events.needDelivery(c.vcpu())) {
            return 0;
        }
        int port = 0;
        for (int i = 0; i < a.nrPorts(); i++) {
            try {
                byte[] b = m.readLinear(a.ports() + (long) i * PORT_SIZE, PORT_SIZE);
                port = (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
            } catch (GuestFault f) {
                return c.error(EFAULT, "poll: copy of ports[" + i + "]");
            }
            int rc = evtchn.poll(port);
            if (rc < 0) {
                return c.error(-rc, "poll: port " + Integer.toUnsignedString(port) + " not usable");
            }
            if (rc > 0) {
                return 0;
            }
        }
        List<Integer> on = a.nrPorts() == 1 ? List.of(port) : List.of();
        long deadline = a.timeout() == 0 ? -1 : Math.max(a.timeout(), 0);
        c.out().vcpu(new VcpuState(VcpuState.Run.BLOCKED, deadline, on));
        c.note("SCHEDOP_poll: emulated by the adapter (Hyper-V has no wait-on-ports; a real shim would arm an"
                + " STIMER one-shot for the timeout and idle)");
        return 0;
    }

    /** By id only (DOMID_SELF → -ESRCH); a domU fails XSM_DM_PRIV, even for itself (-EPERM). */
    @Covers(call = "SCHEDOP_remote_shutdown", as = Realisation.EMULATED, via = "adapter policy as Xen: XSM_DM_PRIV refuses a domU")
    long remoteShutdown(Call c, SchedRemoteShutdown a) {
        if (s.byId(a.domainId()) == AdapterState.Lookup.NONE) {
            return c.error(ESRCH, "remote_shutdown: no domain " + a.domainId());
        }
        return c.error(EPERM, "remote_shutdown: XSM_DM_PRIV");
    }

    /**
     * The domain's two watchdogs, kept by the adapter (Hyper-V has none): id &gt; 2 → -EINVAL; id 0
     * takes a free one and returns id + 1 (-ENOSPC when both are taken); an id not in use → -EINVAL;
     * timeout 0 stops it, else it is re-armed at now + timeout seconds.
     */
    @Covers(call = "SCHEDOP_watchdog", as = Realisation.EMULATED, via = "adapter state: the domain watchdogs (Hyper-V has none)")
    long watchdog(Call c, SchedWatchdog a) {
        long id = Integer.toUnsignedLong(a.id());
        long deadline = c.nowNs() + Integer.toUnsignedLong(a.timeout()) * NS_PER_SEC;
        if (id > SchedH.NR_DOMAIN_WATCHDOG_TIMERS) {
            return c.error(EINVAL, "watchdog: id > 2");
        }
        if (id == 0) {
            for (int i = 0; i < SchedH.NR_DOMAIN_WATCHDOG_TIMERS; i++) {
                if ((s.watchdogInuse & 1 << i) == 0) {
                    s.watchdogInuse |= 1 << i;
                    c.out().timer(new TimerArm(c.vcpu(), "watchdog" + i, deadline, 0));
                    return i + 1;
                }
            }
            return c.error(ENOSPC, "watchdog: both in use");
        }
        int i = (int) id - 1;
        if ((s.watchdogInuse & 1 << i) == 0) {
            return c.error(EINVAL, "watchdog: " + id + " not in use");
        }
        if (a.timeout() == 0) {
            s.watchdogInuse &= ~(1 << i);
            c.out().timer(new TimerArm(c.vcpu(), "watchdog" + i, -1, 0));
        } else {
            c.out().timer(new TimerArm(c.vcpu(), "watchdog" + i, deadline, 0));
        }
        return 0;
    }

    /** Latches a shutdown code if none is set; Xen keeps it as a u8. */
    private void latch(int reason) {
        s.latchShutdown(reason);
    }
}
