package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.HvMsr;
import dev.hcdiff.oracle.hyperv.HvPartition;
import dev.hcdiff.oracle.hyperv.HvTime;
import dev.hcdiff.oracle.hyperv.MsrResult;
import dev.hcdiff.oracle.hyperv.SynIc;
import dev.hcdiff.oracle.xen.abi.VcpuH;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;

import java.util.function.Consumer;

/**
 * Xen's per-vCPU timers on Hyper-V synthetic timers (hyperv-abi.md §5, TLFS "Synthetic Timers"):
 * <ul>
 *   <li>the single-shot timer (set_timer_op, VCPUOP_set/stop_singleshot_timer) is STIMER0 in
 *       one-shot mode: COUNT is the absolute reference time, {@code ceil(ns / 100)} so it never
 *       fires before Xen's deadline; COUNT = 0 stops it;</li>
 *   <li>the periodic timer (VCPUOP_set/stop_periodic_timer) is STIMER1, also one-shot, re-armed by
 *       the adapter at each tick. A Hyper-V periodic STIMER counts its first period from the enable
 *       and skips missed periods to period boundaries; Xen's counts from {@code periodic_last_event}
 *       (which survives a stop), re-phases a vCPU that was descheduled to the moment it runs again,
 *       and is stopped while the vCPU is blocked ({@code vcpu_periodic_timer_work_locked()},
 *       {@code sched_context_switch()}). No STIMER configuration has that phase, so the adapter
 *       computes Xen's next deadline and programs it as a one-shot.</li>
 * </ul>
 * Both timers message SINT1 (polled: SINT0 cannot be a timer's SINTx, which 0 disables) in the
 * adapter's own SIM pages. At each request the partition expires its timers; the adapter then
 * takes each HvMessageTimerExpired from the slot as a guest does (type back to HvMessageTypeNone,
 * EOM when MessagePending says another waits, then lets the partition deliver it) and, for a Xen timer that is due, sets the vCPU's
 * VIRQ_TIMER port pending with the upcall as Xen's {@code send_timer_event()} would
 * ({@link AdapterEvents}). Deadlines are reported as Hyper-V armed them: a multiple of 100 ns, up to
 * 99 ns after Xen's ({@code hyperv-timer-100ns}). Every MSR access goes into the trail.
 */
final class TimerOps {

    /** {@link TimerArm#timer()} names, as the reference reports them. */
    static final String SINGLESHOT = "singleshot", PERIODIC = "periodic";
    /** The STIMER each Xen timer runs on. */
    static final int SINGLESHOT_STIMER = 0, PERIODIC_STIMER = 1;
    /** The SINT both timers message: SINT1 (HvLink leaves SINT0–1 to timers; SINTx = 0 disables a timer). */
    static final int TIMER_SINT = 1;
    /** STIMER CONFIG bit 3 AutoEnable (TLFS "Synthetic Timer Configuration Register"). */
    static final long CONFIG_AUTO_ENABLE = 1L << 3;
    /** STIMER CONFIG bits 19:16 SINTx. */
    static final int CONFIG_SINTX_SHIFT = 16;
    /** HvMessageTimerExpired (TLFS datatype hv_message_type). */
    static final int HVMSG_TIMER_EXPIRED = 0x80000010;
    /** hv_message header: MessageType u32 @0, MessageFlags @5 (bit 0 MessagePending), payload @16 (TLFS). */
    static final int MSG_FLAGS = 5, MSG_PAYLOAD = 16, MSG_PENDING = 1, MSG_BYTES = 256;
    /** hv_timer_message_payload: TimerIndex u32 @0 (TLFS). */
    static final int PAYLOAD_TIMER_INDEX = 0;
    /** At most this many messages queue behind one slot: one per STIMER of the VP (TLFS: four). */
    static final int STIMERS_PER_VP = 4;

    private TimerOps() {
    }

    /** The Xen timer state of every vCPU ({@code struct vcpu}'s timers) and the adapter's SIM pages. */
    static final class State {
        final HvPartition partition;
        /** The adapter's SIM pages: VP {@code v}'s at {@link #simGpa}, clear of HvLink's pages. */
        final FlatRam sim;
        final int vcpus;
        final long[] singleshotExpires;
        final boolean[] singleshotActive;
        final long[] period;
        final long[] lastEvent;
        final long[] next;

        /**
         * Per VP: SIMP on the adapter's page, SINT1 polled and unmasked, STIMER0/1 CONFIG = SINTx 1 |
         * AutoEnable (so a COUNT write arms them). A write the partition refuses leaves that timer
         * disabled; its Xen timer then never fires, and the trail of the arming shows the #GP.
         */
        State(HvPartition partition, int vcpus) {
            this.partition = partition;
            this.vcpus = vcpus;
            this.sim = new FlatRam((int) simGpa(vcpus, vcpus));
            singleshotExpires = new long[vcpus];
            singleshotActive = new boolean[vcpus];
            period = new long[vcpus];
            lastEvent = new long[vcpus];
            next = new long[vcpus];
            long config = (long) TIMER_SINT << CONFIG_SINTX_SHIFT | CONFIG_AUTO_ENABLE;
            for (int v = 0; v < vcpus; v++) {
                partition.wrmsr(v, HvMsr.SIMP, simGpa(vcpus, v) | SynIc.PAGE_ENABLE, sim);
                partition.wrmsr(v, HvMsr.SINT0 + TIMER_SINT, HvLink.POLLED_SINT, sim);
                partition.wrmsr(v, HvMsr.STIMER0_CONFIG + 2 * SINGLESHOT_STIMER, config, sim);
                partition.wrmsr(v, HvMsr.STIMER0_CONFIG + 2 * PERIODIC_STIMER, config, sim);
            }
        }

        /** VP {@code v}'s SIM page: after HvLink's SIEF pages and TSC page (pages 0..vcpus). */
        static long simGpa(int vcpus, int v) {
            return (long) (vcpus + 1 + v) * AdapterPages.PAGE;
        }
    }

    /**
     * set_timer_op(timeout) for the calling vCPU, Xen's rules ({@code do_set_timer_op()}): 0 stops
     * the single-shot timer, a negative timeout or one more than 2^50 ns ahead becomes NOW() +
     * 100 ms, anything else is the deadline. 32-bit callers pass it as lo/hi. Always 0.
     */
    @Covers(call = "set_timer_op", as = Realisation.MAPPED, via = "HV_X64_MSR_STIMER0_COUNT = ceil(ns / 100), one-shot on SINT1; 0 stops it", gap = "hyperv-timer-100ns")
    static long setTimerOp(AdapterState s, Call c, long a0, long a1) {
        long timeout = c.abi() == Abi.XEN32 ? (a0 & 0xffffffffL) | (a1 << 32) : a0;
        long offset = timeout - c.nowNs();
        if (timeout == 0) {
            stopSingleshot(s, c, c.vcpu());
        } else if (timeout < 0 || (offset > 0 && (int) (offset >>> VcpuH.HUGE_TIMEOUT_SHIFT) != 0)) {
            c.note("set_timer_op: huge timeout 0x" + Long.toHexString(timeout) + ", timer at NOW() + 100 ms (Xen's rule)");
            setSingleshot(s, c, c.vcpu(), c.nowNs() + VcpuH.MILLISECS_100);
        } else {
            setSingleshot(s, c, c.vcpu(), timeout);
        }
        return 0;
    }

    /**
     * Arms {@code vcpu}'s single-shot timer at Xen deadline {@code expires}. One already due fires
     * now, as Xen's timer softirq fires it on the way back to the guest: the adapter cancels STIMER0
     * and sets VIRQ_TIMER pending itself; otherwise STIMER0_COUNT = ceil(expires / 100).
     */
    static void setSingleshot(AdapterState s, Call c, int vcpu, long expires) {
        State t = s.time.xenTimers;
        if (expires <= c.nowNs()) {
            t.singleshotActive[vcpu] = false;
            writeCount(t, vcpu, SINGLESHOT_STIMER, 0, c.nowNs(), c.out());
            c.out().timer(new TimerArm(vcpu, SINGLESHOT, expires, 0));
            c.note("singleshot deadline " + expires + " ns already due: VIRQ_TIMER now");
            sendTimerEvent(s, vcpu, c.out());
            return;
        }
        t.singleshotExpires[vcpu] = expires;
        t.singleshotActive[vcpu] = true;
        long ticks = Math.ceilDiv(expires, HvTime.NS_PER_TICK);
        writeCount(t, vcpu, SINGLESHOT_STIMER, ticks, c.nowNs(), c.out());
        c.out().timer(new TimerArm(vcpu, SINGLESHOT, ticksToNs(ticks), 0));
    }

    /** Stops {@code vcpu}'s single-shot timer: STIMER0_COUNT = 0 ("will stop the counter", TLFS). */
    static void stopSingleshot(AdapterState s, Call c, int vcpu) {
        State t = s.time.xenTimers;
        t.singleshotActive[vcpu] = false;
        writeCount(t, vcpu, SINGLESHOT_STIMER, 0, c.nowNs(), c.out());
        c.out().timer(new TimerArm(vcpu, SINGLESHOT, -1, 0));
    }

    /** {@code vcpu_set_periodic_timer(v, period)}: 0 stops STIMER1; else Xen's next tick is programmed. */
    static void setPeriodic(AdapterState s, Call c, int vcpu, long period) {
        State t = s.time.xenTimers;
        t.period[vcpu] = period;
        if (period == 0) {
            writeCount(t, vcpu, PERIODIC_STIMER, 0, c.nowNs(), c.out());
            c.out().timer(new TimerArm(vcpu, PERIODIC, -1, 0));
            return;
        }
        periodicWork(s, vcpu, c.nowNs(), c.out());
    }

    /** Xen's {@code vcpu_periodic_timer_work_locked()}: a tick if a period has passed, then STIMER1 at the next. */
    private static void periodicWork(AdapterState s, int vcpu, long now, Observation.Builder out) {
        State t = s.time.xenTimers;
        long next = t.lastEvent[vcpu] + t.period[vcpu];
        if (now >= next) {
            sendTimerEvent(s, vcpu, out);
            t.lastEvent[vcpu] = now;
            next = now + t.period[vcpu];
        }
        armPeriodic(t, vcpu, next, now, out);
    }

    private static void armPeriodic(State t, int vcpu, long next, long now, Observation.Builder out) {
        t.next[vcpu] = next;
        long ticks = Math.ceilDiv(next, HvTime.NS_PER_TICK);
        writeCount(t, vcpu, PERIODIC_STIMER, ticks, now, out);
        out.timer(new TimerArm(vcpu, PERIODIC, ticksToNs(ticks), t.period[vcpu]));
    }

    /**
     * At the start of each request: the partition expires its timers at {@code now}; per VP in order,
     * each timer message in SINT1's slot is taken, and a due Xen timer sets VIRQ_TIMER pending. A
     * periodic tick of a vCPU that blocked since its last request is dropped (Xen stopped that
     * timer when the vCPU was descheduled); when that vCPU is the caller it runs again, and Xen's
     * periodic work re-phases its timer to now.
     */
    static void expire(AdapterState s, int caller, long now, Observation.Builder out) {
        State t = s.time.xenTimers;
        Consumer<String> trail = out::trail;
        t.partition.expireTimers(now, t.sim, i -> trail.accept(String.format("%s on vp%d (polled): the adapter reads SIM", i.source().toUpperCase(), i.vcpu())),
                a -> trail.accept("partition re-armed " + a));
        for (int vp = 0; vp < t.vcpus; vp++) {
            boolean descheduled = s.time.descheduled(vp);
            for (int k = 0; k < STIMERS_PER_VP; k++) {
                int timer = takeTimerMessage(t, vp, now, out);
                if (timer < 0) {
                    break;
                }
                if (timer == SINGLESHOT_STIMER && t.singleshotActive[vp]) {
                    t.singleshotActive[vp] = false;
                    sendTimerEvent(s, vp, out);
                } else if (timer == PERIODIC_STIMER && t.period[vp] != 0 && !descheduled && t.next[vp] <= now) {
                    long period = t.period[vp];
                    long last = t.next[vp] + (now - t.next[vp]) / period * period;
                    sendTimerEvent(s, vp, out);
                    t.lastEvent[vp] = last;
                    armPeriodic(t, vp, last + period, now, out);
                } else {
                    out.trail("stimer" + timer + " of vp" + vp + ": no Xen timer due on it (stopped, or the vCPU is descheduled)");
                }
            }
            if (vp == caller && descheduled && t.period[vp] != 0) {
                periodicWork(s, vp, now, out);
            }
        }
    }

    /**
     * Takes the message in VP {@code vp}'s SINT1 slot: -1 when it holds no timer message; else its
     * TimerIndex, after freeing the slot (and EOM plus a retry when MessagePending is set).
     */
    private static int takeTimerMessage(State t, int vp, long now, Observation.Builder out) {
        long slot = State.simGpa(t.vcpus, vp) + (long) TIMER_SINT * MSG_BYTES;
        try {
            byte[] m = t.sim.readPhysical(slot, MSG_PAYLOAD + 4);
            int type = le32(m, 0);
            if (type != HVMSG_TIMER_EXPIRED) {
                return -1;
            }
            int timer = le32(m, MSG_PAYLOAD + PAYLOAD_TIMER_INDEX);
            t.sim.writePhysical(slot, new byte[4]);
            out.trail(String.format("SIM vp%d SINT%d: HvMessageTimerExpired stimer%d", vp, TIMER_SINT, timer));
            if ((m[MSG_FLAGS] & MSG_PENDING) != 0) {
                MsrResult r = t.partition.wrmsr(vp, HvMsr.EOM, 0, t.sim, now, a -> { });
                out.trail(String.format("WRMSR EOM (0x%x) = 0 -> %s", HvMsr.EOM, r.faulted() ? "#GP" : "ok"));
            }
            // A message queued behind this one comes now: after the EOM (TLFS, KVM), or at the next
            // poll of the timers (Xen's viridian retries a busy slot without MessagePending).
            t.partition.expireTimers(now, t.sim, i -> { }, a -> { });
            return timer;
        } catch (GuestFault f) {
            throw new IllegalStateException("the adapter's SIM page is its own memory", f);
        }
    }

    /** WRMSR STIMERn_COUNT on VP {@code vcpu}, into the trail with the partition's own arming report. */
    private static void writeCount(State t, int vcpu, int stimer, long ticks, long now, Observation.Builder out) {
        int msr = HvMsr.STIMER0_COUNT + 2 * stimer;
        MsrResult r = t.partition.wrmsr(vcpu, msr, ticks, t.sim, now,
                a -> out.trail("partition: " + a));
        out.trail(String.format("WRMSR STIMER%d_COUNT (0x%x) = %d -> %s", stimer, msr, ticks, r.faulted() ? "#GP" : "ok"));
    }

    /**
     * Xen's {@code send_timer_event(v)}: VIRQ_TIMER's port on {@code vcpu}, if bound and usable, set
     * pending for that vCPU with the upcall Xen's 2-level rules give.
     */
    static void sendTimerEvent(AdapterState s, int vcpu, Observation.Builder out) {
        int port = s.ports.virqPort(vcpu, XenH.VIRQ_TIMER);
        if (port == 0) {
            out.trail("send_timer_event: VIRQ_TIMER not bound on vcpu " + vcpu);
            return;
        }
        AdapterPortTable.Port p = s.ports.get(port);
        if (p != null && p.usable()) {
            s.events.setPending(vcpu, port, out);
        }
    }

    /** Reference ticks to ns, saturating (a COUNT past 2^63 ns is "never"). */
    static long ticksToNs(long ticks) {
        return ticks > Long.MAX_VALUE / HvTime.NS_PER_TICK ? Long.MAX_VALUE : ticks * HvTime.NS_PER_TICK;
    }

    private static int le32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
