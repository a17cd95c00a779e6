package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.EventChannelTable.Channel;
import dev.hcdiff.oracle.xen.abi.VcpuH;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.trace.record.TimerArm;

/**
 * The two guest timers of each vCPU ({@code struct vcpu} {@code singleshot_timer},
 * {@code periodic_timer}, {@code periodic_period}, {@code periodic_last_event}; xen/common/sched/core.c,
 * Xen 4.17.7) on the model's virtual clock. Both fire {@code send_timer_event(v)}
 * (xen/arch/x86/time.c), i.e. {@code send_guest_vcpu_virq(v, VIRQ_TIMER)}: the port bound to
 * VIRQ_TIMER on that vCPU, if any, is set pending for {@code v->vcpu_id} with the upcall that follows.
 *
 * <p>Observable: every arm and cancel is a {@link TimerArm} named {@value #SINGLESHOT} or
 * {@value #PERIODIC} (deadline ns, or -1; period ns for the periodic timer, re-reported after each
 * tick with its next deadline). A single-shot expiry is reported by its event alone.
 *
 * <p>Expiry is deterministic: {@link #expire} runs at the start of every request with the request's
 * time, before the caller's time refresh (Xen's {@code sched_context_switch()} runs
 * {@code vcpu_periodic_timer_work(vnext)} before {@code context_switch()}). A timer fires once its
 * deadline is reached ({@code expires <= now}: Xen's softirq runs timers with {@code expires < NOW()},
 * and never early: the hardware deadline is {@code MAX(deadline, now + timer_slop)},
 * xen/common/timer.c; the up to 50 µs of lateness that slop allows is the host's, not the model's). A periodic timer runs only while its vCPU runs: a vCPU that
 * blocked had it stopped at the context switch ({@code stop_timer(&vprev->periodic_timer)}), and its
 * next request restarts it ({@code vcpu_periodic_timer_work()}: a tick if a period has passed since
 * the last, re-phased to now).
 */
public final class XenTimers {

    /** {@link TimerArm#timer()} of the single-shot timer. */
    public static final String SINGLESHOT = "singleshot";
    /** {@link TimerArm#timer()} of the periodic timer. */
    public static final String PERIODIC = "periodic";

    private final XenDomain d;
    /** Per vCPU: the single-shot timer's {@code expires}, valid while {@link #singleshotActive}. */
    private final long[] singleshotExpires;
    private final boolean[] singleshotActive;
    /** {@code v->periodic_period}: 0 = stopped. */
    private final long[] periodicPeriod;
    /** {@code v->periodic_last_event}: 0 at vCPU creation (the struct is zeroed). */
    private final long[] periodicLastEvent;
    /** The periodic timer's {@code expires} while {@code periodic_period != 0}. */
    private final long[] periodicNext;

    public XenTimers(XenDomain d) {
        this.d = d;
        int n = d.maxVcpus();
        singleshotExpires = new long[n];
        singleshotActive = new boolean[n];
        periodicPeriod = new long[n];
        periodicLastEvent = new long[n];
        periodicNext = new long[n];
    }

    /**
     * {@code set_timer_op(timeout)} for the calling vCPU: 0 stops the single-shot timer; a negative
     * timeout, or one more than 2^50 ns ahead ("Linux workaround ... due to wrapping in Linux's jiffy
     * time handling"), arms it at NOW() + 100 ms; anything else arms it at {@code timeout}, even if
     * already past (it then fires at the next expiry check). Always 0.
     *
     * @see xen/common/sched/core.c do_set_timer_op
     */
    public long doSetTimerOp(Current current, long timeout) {
        XenVcpu v = current.vcpu();
        long now = current.nowNs();
        long offset = timeout - now;
        if (timeout == 0) {
            stopSingleshot(current, v);
        } else if (timeout < 0 || (offset > 0 && (int) (offset >>> VcpuH.HUGE_TIMEOUT_SHIFT) != 0)) {
            current.note("do_set_timer_op: huge timeout 0x" + Long.toHexString(timeout) + ", timer at NOW() + 100 ms");
            setSingleshot(current, v, now + VcpuH.MILLISECS_100);
        } else {
            setSingleshot(current, v, timeout);
        }
        return 0;
    }

    /**
     * {@code set_timer(&v->singleshot_timer, expires)}. A deadline already reached fires before the
     * guest resumes: the new timer heads the pCPU's heap, so {@code activate_timer()} raises
     * TIMER_SOFTIRQ, which runs on the way back to the guest and executes every timer with
     * {@code expires < NOW()} (xen/common/timer.c timer_softirq_action), NOW() being later by then.
     */
    void setSingleshot(Current current, XenVcpu v, long expires) {
        singleshotExpires[v.vcpuId()] = expires;
        singleshotActive[v.vcpuId()] = true;
        current.observed().timer(new TimerArm(v.vcpuId(), SINGLESHOT, expires, 0));
        if (expires <= current.nowNs()) {
            singleshotActive[v.vcpuId()] = false;
            current.note("singleshot timer of vcpu " + v.vcpuId() + " already due: fires on the exit path");
            sendTimerEvent(current, v);
        }
    }

    /** {@code stop_timer(&v->singleshot_timer)}: reported as a cancel whether or not it was active. */
    void stopSingleshot(Current current, XenVcpu v) {
        singleshotActive[v.vcpuId()] = false;
        current.observed().timer(new TimerArm(v.vcpuId(), SINGLESHOT, -1, 0));
    }

    /**
     * {@code vcpu_set_periodic_timer(v, value)}: stops the timer, stores the period and, if non-zero,
     * runs {@code vcpu_periodic_timer_work_locked()}: a tick now if a whole period has passed since
     * {@code periodic_last_event} (0 for a fresh vCPU), then the timer at last_event + period.
     *
     * @see xen/common/sched/core.c vcpu_set_periodic_timer
     */
    void vcpuSetPeriodicTimer(Current current, XenVcpu v, long period) {
        int id = v.vcpuId();
        periodicPeriod[id] = period;
        if (period == 0) {
            current.observed().timer(new TimerArm(id, PERIODIC, -1, 0));
            return;
        }
        periodicTimerWork(current, v, current.nowNs());
    }

    /** @see xen/common/sched/core.c vcpu_periodic_timer_work_locked */
    private void periodicTimerWork(Current current, XenVcpu v, long now) {
        int id = v.vcpuId();
        long next = periodicLastEvent[id] + periodicPeriod[id];
        if (now >= next) {
            sendTimerEvent(current, v);
            periodicLastEvent[id] = now;
            next = now + periodicPeriod[id];
        }
        periodicNext[id] = next;
        current.observed().timer(new TimerArm(id, PERIODIC, next, periodicPeriod[id]));
    }

    /**
     * Fires what is due at {@code current.nowNs()}, vCPU by vCPU: the single-shot timer
     * ({@code vcpu_singleshot_timer_fn()}), then the periodic one. A running vCPU's periodic timer
     * fired at each deadline ({@code vcpu_periodic_timer_fn()} with NOW() = the deadline), so its phase
     * is kept; one that blocked since its last request is restarted by this request if it is the
     * caller, re-phased to now, and otherwise stays stopped.
     */
    public void expire(Current current) {
        long now = current.nowNs();
        for (int id = 0; id < singleshotActive.length; id++) {
            XenVcpu v = d.vcpu(id);
            if (singleshotActive[id] && singleshotExpires[id] <= now) {
                singleshotActive[id] = false;
                current.note("singleshot timer of vcpu " + id + " expired at " + singleshotExpires[id] + " ns");
                sendTimerEvent(current, v);
            }
            if (periodicPeriod[id] == 0) {
                continue;
            }
            boolean descheduled = v.wasBlocked;
            if (descheduled && id != current.vcpu().vcpuId()) {
                continue;
            }
            if (descheduled) {
                periodicTimerWork(current, v, now);
            } else if (periodicNext[id] <= now) {
                long period = periodicPeriod[id];
                long ticks = (now - periodicNext[id]) / period;
                long last = periodicNext[id] + ticks * period;
                current.note("periodic timer of vcpu " + id + " ticked at " + last + " ns");
                sendTimerEvent(current, v);
                periodicLastEvent[id] = last;
                periodicNext[id] = last + period;
                current.observed().timer(new TimerArm(id, PERIODIC, periodicNext[id], period));
            }
        }
    }

    /**
     * {@code send_timer_event(v)} = {@code send_guest_vcpu_virq(v, VIRQ_TIMER)}: nothing when the VIRQ
     * is not bound on {@code v}; else the port is set pending for {@code v->vcpu_id} (not the
     * channel's notify vCPU).
     *
     * @see xen/common/event_channel.c send_guest_vcpu_virq
     */
    void sendTimerEvent(Current current, XenVcpu v) {
        int port = v.virqToEvtchn(XenH.VIRQ_TIMER);
        if (port == 0) {
            current.note("send_timer_event: VIRQ_TIMER not bound on vcpu " + v.vcpuId());
            return;
        }
        Channel chn = d.evtchn().evtchnFromPort(port);
        if (chn.usable()) {
            d.evtchn2l().setPending(current, v, chn);
        }
    }

    /**
     * The earliest deadline of an active timer, in ns of virtual time, for a caller that must wake
     * a halted guest in time (the recorder): the single-shot timers of every vCPU, and the periodic
     * timers of the vCPUs that have not blocked since their last request (a blocked vCPU's periodic
     * timer is stopped). Empty when no timer is active.
     */
    public java.util.OptionalLong nextDeadlineNs() {
        long best = Long.MAX_VALUE;
        boolean any = false;
        for (int id = 0; id < singleshotActive.length; id++) {
            if (singleshotActive[id]) {
                best = Math.min(best, singleshotExpires[id]);
                any = true;
            }
            if (periodicPeriod[id] != 0 && !d.vcpu(id).wasBlocked) {
                best = Math.min(best, periodicNext[id]);
                any = true;
            }
        }
        return any ? java.util.OptionalLong.of(best) : java.util.OptionalLong.empty();
    }

    /** The single-shot deadline of {@code vcpu} in ns, or -1 when it is not active. */
    public long singleshotDeadline(int vcpu) {
        return singleshotActive[vcpu] ? singleshotExpires[vcpu] : -1;
    }

    /** The periodic timer's next deadline of {@code vcpu}, or -1 when it is stopped. */
    public long periodicDeadline(int vcpu) {
        return periodicPeriod[vcpu] == 0 ? -1 : periodicNext[vcpu];
    }

    /** {@code v->periodic_period} of {@code vcpu}, 0 when stopped. */
    public long periodicPeriod(int vcpu) {
        return periodicPeriod[vcpu];
    }
}
