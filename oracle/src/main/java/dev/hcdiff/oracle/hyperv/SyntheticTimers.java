package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.TimerArm;

import java.util.OptionalLong;
import java.util.function.Consumer;

/**
 * The four synthetic timers of each VP (TLFS "Timers", "Synthetic Timers"; hyperv-abi.md §5), on
 * virtual time only: COUNT and the message times are in the partition's reference counter
 * ({@link HvPartition#referenceTicks}, 100 ns ticks from creation, per implementation); a timer is
 * armed by an MSR write, reported as a {@link TimerArm} with the ns deadline of its host timer, and
 * fires in {@link #expire}, which the backend calls for the requesting VP at every request. Expiry
 * writes an HvMessageTimerExpired message into the SIM slot of the timer's SINT and asserts the
 * SINT. A write first stops the timer (reported as a cancel if it was armed), then may start it.
 *
 * <p>Per personality (the TLFS leaves several cases open):
 * <ul>
 *   <li>tlfs: Enable is cleared when a write leaves SINTx = 0 (not direct) or COUNT = 0 (the TLFS
 *       is silent on enabling with COUNT 0; Xen's reading is taken); a one-shot clears Enable when
 *       it expires; a busy slot gets MessagePending and the message is retried after EOM; missed
 *       periods are skipped to the next period boundary (KVM's {@code stimer_start()}, one of the
 *       two techniques the TLFS allows); a Polling SINT raises nothing;</li>
 *   <li>kvm ({@code stimer_set_config()}, {@code stimer_set_count()}, {@code stimer_expiration()},
 *       {@code synic_deliver_msg()}): SINTx = 0 clears Enable only if the old config was enabled;
 *       Enable with COUNT 0 reads back 1 while nothing runs; a periodic tick finding the slot busy
 *       is dropped ({@code no_retry}); a one-shot stays enabled until its message is delivered;
 *       the SINT's Polling bit is ignored; writes need the SynIC active (AccessSynicRegs here);</li>
 *   <li>xen-viridian ({@code time.c: viridian_time_wrmsr()}, {@code start_stimer()},
 *       {@code poll_stimer()}; {@code synic.c: viridian_synic_deliver_timer_msg()}): Enable is
 *       cleared when SINTx = 0 or COUNT = 0, even in direct mode; direct mode is stored but a
 *       message is sent anyway; a busy slot is retried at every poll with no MessagePending;
 *       only type, size, flags and payload are written (not the origination id); missed periods
 *       follow {@code start_stimer()} (lazy or more than 3 missed: now + count; else now +
 *       count / missed); a pending one-shot reads back with Enable clear.</li>
 * </ul>
 * DirectMode needs CPUID 0x40000003 EDX bit 19, which the model does not offer, so tlfs and kvm
 * refuse it with #GP (hyperv-abi.md §1 gate table). CONFIG's RsvdZ bits are stored: RsvdZ is
 * guidance to the guest, not a fault (TLFS datatypes overview).
 */
final class SyntheticTimers {

    /** Synthetic timers per VP (TLFS "Synthetic Timer Registers": STIMER0–3). */
    static final int PER_VP = 4;
    static final long ENABLE = StimerConfig.ENABLE;
    static final long PERIODIC = StimerConfig.PERIODIC;
    static final long LAZY = StimerConfig.LAZY;
    static final long AUTO_ENABLE = StimerConfig.AUTO_ENABLE;
    static final long DIRECT_MODE = StimerConfig.DIRECT_MODE;
    /** Xen start_stimer(): more missed periods than this and the timer is treated as lazy. */
    static final int XEN_MAX_MISSED = 3;

    /** One timer's registers and its place in time. */
    static final class Stimer {
        long config;
        long count;
        /** Expiration in reference ticks while {@link #armed}. */
        long expiration;
        boolean armed;
        /** Expired, its message not delivered yet. */
        boolean pending;
        /** The expiration that fired, which the message reports (a periodic timer re-arms meanwhile). */
        long fired;
        /** When the host timer behind an armed expiration goes off, ns of virtual time. */
        long deadlineNs;
        /** Xen's {@code vs->started}: a periodic timer re-armed after an expiry counts from the last one. */
        boolean started;
    }

    private final HvPartition p;
    private final Stimer[][] timers;

    SyntheticTimers(HvPartition p, int vcpus) {
        this.p = p;
        this.timers = new Stimer[vcpus][PER_VP];
        for (Stimer[] vp : timers) {
            for (int n = 0; n < PER_VP; n++) {
                vp[n] = new Stimer();
            }
        }
    }

    static int index(int msr) {
        return (msr - HvMsr.STIMER0_CONFIG) / 2;
    }

    static boolean isConfig(int msr) {
        return ((msr - HvMsr.STIMER0_CONFIG) & 1) == 0;
    }

    static int sintx(long config) {
        return StimerConfig.sintx(config);
    }

    /** STIMERn_CONFIG or STIMERn_COUNT as the guest reads it. */
    MsrResult read(int vp, int msr) {
        Stimer s = timers[vp][index(msr)];
        if (!isConfig(msr)) {
            return MsrResult.read(s.count);
        }
        if (p.personality() == HvPersonality.XEN_VIRIDIAN && (s.config & PERIODIC) == 0 && s.pending) {
            // viridian_time_rdmsr(): "If the timer is single-shot and it has expired, make sure the enabled flag is clear."
            return MsrResult.read(s.config & ~ENABLE);
        }
        return MsrResult.read(s.config);
    }

    /** A guest write of STIMERn_CONFIG or STIMERn_COUNT at virtual time {@code nowNs}. */
    MsrResult write(int vp, int msr, long value, long nowNs, Consumer<TimerArm> arms) {
        HvPersonality who = p.personality();
        if (who == HvPersonality.KVM && !p.config().has(HvPrivilege.ACCESS_SYNIC_REGS)) {
            // KVM: a guest write needs the SynIC activated by the VMM (hyperv-abi.md §1 gate table).
            return MsrResult.gp();
        }
        if (isConfig(msr) && (value & DIRECT_MODE) != 0 && who != HvPersonality.XEN_VIRIDIAN) {
            return MsrResult.gp();
        }
        int n = index(msr);
        Stimer s = timers[vp][n];
        boolean wasArmed = s.armed;
        s.armed = false;
        if (who != HvPersonality.XEN_VIRIDIAN) {
            // stimer_cleanup() drops an undelivered expiry; Xen's stop_stimer() keeps stimer_pending.
            s.pending = false;
        }
        s.started = false;
        if (isConfig(msr)) {
            long old = s.config;
            s.config = value;
            boolean cleared = switch (who) {
                case TLFS -> (value & DIRECT_MODE) == 0 && sintx(value) == 0 || s.count == 0;
                case KVM -> (old & ENABLE) != 0 && (value & DIRECT_MODE) == 0 && sintx(value) == 0;
                case XEN_VIRIDIAN -> sintx(value) == 0 || s.count == 0;
            };
            if (cleared) {
                s.config &= ~ENABLE;
            }
        } else {
            s.count = value;
            if (value == 0) {
                // "Writing the value zero to the Count register will stop the counter" (TLFS), in all three.
                s.config &= ~ENABLE;
            } else if ((s.config & AUTO_ENABLE) != 0
                    && !(who == HvPersonality.TLFS && sintx(s.config) == 0 && (s.config & DIRECT_MODE) == 0)) {
                s.config |= ENABLE;
            }
        }
        long now = p.referenceTicks(nowNs);
        // A write stops the timer first (KVM stimer_cleanup(), Xen stop_stimer()), then may start it.
        if (wasArmed) {
            arms.accept(new TimerArm(vp, name(n), -1, 0));
        }
        if ((s.config & ENABLE) != 0 && s.count != 0) {
            arm(s, now, nowNs);
            // A one-shot already due fires at once (the next expireTimers): no deadline to wait for.
            if (!reached(now, s.expiration)) {
                arms.accept(new TimerArm(vp, name(n), s.deadlineNs, periodNs(s)));
            }
        }
        return MsrResult.done();
    }

    /**
     * Fires every armed timer of VP {@code vp} whose expiration has been reached at {@code nowNs}
     * and delivers the messages that can be delivered, in timer order.
     *
     * @param retry an EOM since the last call asks for undelivered messages to be retried (tlfs,
     *              kvm; Xen retries at every poll and ignores EOM)
     */
    void expire(int vp, long nowNs, boolean retry, GuestMemory memory, Consumer<Interrupt> irqs, Consumer<TimerArm> arms) {
        long now = p.referenceTicks(nowNs);
        HvPersonality who = p.personality();
        for (int n = 0; n < PER_VP; n++) {
            Stimer s = timers[vp][n];
            boolean fresh = false;
            if (s.armed && who == HvPersonality.KVM && !reached(now, s.expiration) && nowNs >= s.deadlineNs) {
                // The hrtimer went off before the TSC-page counter reached the expiration: KVM's
                // kvm_hv_process_stimers() finds time_now < exp_time and stimer_start() re-arms it.
                s.deadlineNs = relative(nowNs, s.expiration - now);
                arms.accept(new TimerArm(vp, name(n), s.deadlineNs, periodNs(s)));
            }
            // Xen's stimer_expire() is a Xen timer at the deadline: it fires whatever time_ref_count says.
            boolean due = who == HvPersonality.XEN_VIRIDIAN ? nowNs >= s.deadlineNs : reached(now, s.expiration);
            if (s.armed && due) {
                s.armed = false;
                s.pending = true;
                s.fired = s.expiration;
                fresh = true;
                if (p.personality() == HvPersonality.TLFS && (s.config & PERIODIC) == 0) {
                    // "When a one-shot timer expires, it is automatically marked as disabled." (TLFS)
                    s.config &= ~ENABLE;
                }
            }
            boolean attempt = fresh || p.personality() == HvPersonality.XEN_VIRIDIAN || retry;
            if (!s.pending || !attempt) {
                continue;
            }
            if (p.personality() != HvPersonality.TLFS && (s.config & ENABLE) == 0) {
                // KVM retries only enabled timers (kvm_hv_notify_acked_sint()); Xen's poll_stimer() likewise.
                s.pending = false;
                continue;
            }
            boolean delivered = deliver(vp, n, s, now, memory, irqs);
            boolean periodic = (s.config & PERIODIC) != 0;
            if (delivered) {
                s.pending = false;
                if (!periodic) {
                    s.config &= ~ENABLE;
                }
            }
            // tlfs: the period runs on while the message waits; kvm (stimer_start() only once
            // msg_pending is clear) and Xen (poll_stimer()) re-arm after a delivery.
            if (periodic && (p.personality() == HvPersonality.TLFS ? fresh : delivered)) {
                rearm(s, now, nowNs);
                arms.accept(new TimerArm(vp, name(n), s.deadlineNs, periodNs(s)));
            }
        }
    }

    /** The earliest deadline of an armed timer, in ns of virtual time. */
    OptionalLong nextDeadlineNs() {
        long best = Long.MAX_VALUE;
        boolean any = false;
        for (Stimer[] vp : timers) {
            for (Stimer s : vp) {
                if (s.armed) {
                    best = Math.min(best, s.deadlineNs);
                    any = true;
                }
            }
        }
        return any ? OptionalLong.of(best) : OptionalLong.empty();
    }

    private void arm(Stimer s, long now, long nowNs) {
        if ((s.config & PERIODIC) != 0) {
            // The first period begins when the timer is enabled (TLFS "Synthetic Timer Count Register").
            s.expiration = now + s.count;
        } else {
            // One-shot: COUNT is the absolute reference time; one in the past expires at once.
            s.expiration = s.count;
        }
        s.armed = true;
        s.started = true;
        s.deadlineNs = deadline(s, now, nowNs);
    }

    /**
     * When the host timer for {@code s.expiration} goes off: tlfs, exactly when the counter reaches
     * it (expiration × 100 ns); KVM ({@code hrtimer_start(now + 100 × (exp − time_now))}) and Xen
     * ({@code set_timer(NOW() + (expiration − now) × 100)}) count the remaining ticks from now, and
     * a due expiration goes off at once.
     */
    private long deadline(Stimer s, long now, long nowNs) {
        if (p.personality() == HvPersonality.TLFS) {
            return deadlineNs(s.expiration);
        }
        return reached(now, s.expiration) ? nowNs : relative(nowNs, s.expiration - now);
    }

    /** {@code nowNs} + {@code ticks} × 100, saturating at Long.MAX_VALUE ({@code ticks} unsigned). */
    private static long relative(long nowNs, long ticks) {
        long room = (Long.MAX_VALUE - nowNs) / HvTime.NS_PER_TICK;
        return Long.compareUnsigned(ticks, room) > 0 ? Long.MAX_VALUE : nowNs + ticks * HvTime.NS_PER_TICK;
    }

    /** The next period after an expiry. */
    private void rearm(Stimer s, long now, long nowNs) {
        if (p.personality() == HvPersonality.XEN_VIRIDIAN) {
            long expiration;
            if (!s.started || (s.config & LAZY) != 0) {
                expiration = now + s.count;
            } else {
                expiration = s.expiration + s.count;
                // Xen's "unsigned int missed" holds the u64 quotient + 1 truncated to 32 bits, and
                // "vs->count / missed" divides u64 by it (time.c start_stimer()).
                int missed = expiration - now <= 0 ? (int) (Long.divideUnsigned(now - expiration, s.count) + 1) : 0;
                if (Integer.compareUnsigned(missed, XEN_MAX_MISSED) > 0) {
                    expiration = now + s.count;
                } else if (missed != 0) {
                    expiration = now + Long.divideUnsigned(s.count, Integer.toUnsignedLong(missed));
                }
            }
            s.expiration = expiration;
            s.started = true;
        } else {
            // stimer_start() on a started periodic timer: the next boundary of the period after now.
            long late = Long.remainderUnsigned(now - s.expiration, s.count);
            s.expiration = now + (s.count - late);
        }
        s.armed = true;
        s.deadlineNs = deadline(s, now, nowNs);
    }

    /**
     * Writes the timer's message into its SINT's slot and asserts the SINT; false when it must wait
     * (SIM page off or outside RAM, slot busy, or — KVM — the SINT masked).
     */
    private boolean deliver(int vp, int n, Stimer s, long now, GuestMemory memory, Consumer<Interrupt> irqs) {
        SynIc synic = p.synicUnchecked(vp);
        HvPersonality who = p.personality();
        int sint = sintx(s.config);
        if ((synic.simp() & SynIc.PAGE_ENABLE) == 0 || who == HvPersonality.TLFS && !synic.enabled()) {
            return false;
        }
        long slot = SimPage.slot(synic, sint);
        byte[] payload = SimPage.timerPayload(n, s.fired, now);
        try {
            if (!SimPage.empty(memory, slot)) {
                if (who == HvPersonality.KVM && (s.config & PERIODIC) != 0) {
                    return true; // no_retry: the periodic tick is dropped
                }
                if (who != HvPersonality.XEN_VIRIDIAN) {
                    SimPage.setPending(memory, slot);
                }
                return false;
            }
            if (who == HvPersonality.XEN_VIRIDIAN) {
                byte[] head = new byte[6];
                SimPage.Le.put(head, 0, SimPage.HVMSG_TIMER_EXPIRED, 4);
                head[SimPage.PAYLOAD_SIZE_OFFSET] = (byte) payload.length;
                memory.writePhysical(slot, head);
                memory.writePhysical(slot + SimPage.HEADER_SIZE, payload);
            } else {
                memory.writePhysical(slot, SimPage.message(SimPage.HVMSG_TIMER_EXPIRED, 0, payload));
            }
        } catch (GuestFault f) {
            return false;
        }
        if (synic.masked(sint)) {
            // TLFS/Xen: the interrupt is lost; KVM's synic_set_irq() fails and the expiry stays pending.
            return who != HvPersonality.KVM;
        }
        if (!(who == HvPersonality.TLFS && synic.polling(sint))) {
            irqs.accept(new Interrupt(vp, synic.vector(sint), "sint" + sint));
        }
        return true;
    }

    private boolean reached(long now, long expiration) {
        // KVM and the TLFS compare unsigned ("COUNT may wrap"); Xen compares the signed difference.
        return p.personality() == HvPersonality.XEN_VIRIDIAN
                ? expiration - now <= 0
                : Long.compareUnsigned(now, expiration) >= 0;
    }

    /** Reference ticks to ns, saturating: a far COUNT becomes "never" rather than wrapping. */
    static long deadlineNs(long ticks) {
        return Long.compareUnsigned(ticks, Long.MAX_VALUE / HvTime.NS_PER_TICK) > 0 ? Long.MAX_VALUE : ticks * HvTime.NS_PER_TICK;
    }

    private static long periodNs(Stimer s) {
        return (s.config & PERIODIC) != 0 ? deadlineNs(s.count) : 0;
    }

    static String name(int n) {
        return "stimer" + n;
    }
}
