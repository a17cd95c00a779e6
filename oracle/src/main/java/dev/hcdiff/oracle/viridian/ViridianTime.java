package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.HvTime;
import dev.hcdiff.oracle.hyperv.MsrResult;
import dev.hcdiff.oracle.hyperv.ReferenceTsc;
import dev.hcdiff.trace.record.TimerArm;

/**
 * Viridian's time enlightenments, {@code xen/arch/x86/hvm/viridian/time.c} (Xen 4.17.7): the
 * partition reference counter and TSC page derived from the guest TSC, the frequency MSRs, and the
 * synthetic timers run on Xen timers.
 *
 * <p>Model facts (as the Xen model's {@code CpuidLeaves}): the guest TSC counts from 0 at domain
 * creation at {@code tsc_khz}, the host TSC is safe and not emulated (so the TSC page is valid),
 * and the domain was never paused, so {@code time_ref_count.off} = 0. A Xen timer whose deadline
 * has passed fires when the next request arrives ({@link #expireDue}); its message is delivered
 * when its vCPU re-enters the guest ({@link #pollTimers}), which the backend does for the caller
 * before and after each of its requests.
 */
final class ViridianTime {

    /** {@code APIC_BUS_CYCLE_NS} (xen/arch/x86/include/asm/hvm/vlapic.h): 10 ns, a 100 MHz APIC bus. */
    static final long APIC_BUS_CYCLE_NS = 10;
    /** {@code HV_REFERENCE_TSC_PAGE}: tsc_sequence @0, tsc_scale @8, tsc_offset @16. */
    static final int TSC_SEQUENCE = 0, TSC_SCALE = 8, TSC_OFFSET = 16;

    private final ViridianDomain d;
    private final ViridianSynic synic;

    ViridianTime(ViridianDomain d, ViridianSynic synic) {
        this.d = d;
        this.synic = synic;
    }

    /** {@code ((10000ul << 32) / d->arch.tsc_khz) << 32}: 32 significant bits (trc_val(), update_reference_tsc()). */
    long scale() {
        return ((10_000L << 32) / d.config.tscKhz()) << 32;
    }

    /** {@code time_ref_count()}: {@code hv_scale_tsc(guest TSC, scale, off)} with off = 0. */
    long timeRefCount(long nowNs) {
        long tsc = ReferenceTsc.tscAt(nowNs, d.config.tscKhz());
        return Math.unsignedMultiplyHigh(tsc, scale());
    }

    /**
     * {@code update_reference_tsc(d, true)} on a freshly mapped page: cleared, scale and offset
     * set, then the sequence 0 + 1 = 1, so every enabling write publishes sequence 1. Returns the
     * page as it ends up, written to guest memory once.
     */
    byte[] referenceTscPage() {
        byte[] p = new byte[ViridianPage.SIZE];
        putLe(p, TSC_SCALE, scale(), 8);
        putLe(p, TSC_OFFSET, 0, 8);
        putLe(p, TSC_SEQUENCE, 1, 4);
        return p;
    }

    @Covers(call = "HV_X64_MSR_TSC_FREQUENCY", as = Realisation.MAPPED, via = "d->arch.tsc_khz")
    @Covers(call = "HV_X64_MSR_APIC_FREQUENCY", as = Realisation.MAPPED, via = "APIC_BUS_CYCLE_NS (vlapic.h)")
    @Covers(call = "HV_X64_MSR_TIME_REF_COUNT", as = Realisation.MAPPED, via = "hvm_get_guest_tsc() x tsc scale (time_ref_count)")
    @Covers(call = "HV_X64_MSR_REFERENCE_TSC", as = Realisation.MAPPED, via = "update_reference_tsc() from d->arch.tsc_khz")
    @Covers(call = "HV_X64_MSR_STIMER0_CONFIG", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER0_COUNT", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER1_CONFIG", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER1_COUNT", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER2_CONFIG", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER2_COUNT", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER3_CONFIG", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    @Covers(call = "HV_X64_MSR_STIMER3_COUNT", as = Realisation.MAPPED, via = "Xen timer (set_timer)")
    MsrResult rdmsr(Call c, int idx) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        switch (idx) {
            case ViridianMsr.TSC_FREQUENCY -> {
                return d.has(ViridianFeatures.NO_FREQ) ? MsrResult.gp() : MsrResult.read(d.config.tscKhz() * 1000L);
            }
            case ViridianMsr.APIC_FREQUENCY -> {
                return d.has(ViridianFeatures.NO_FREQ) ? MsrResult.gp() : MsrResult.read(1_000_000_000L / APIC_BUS_CYCLE_NS);
            }
            case ViridianMsr.REFERENCE_TSC -> {
                return d.has(ViridianFeatures.REFERENCE_TSC) ? MsrResult.read(d.referenceTsc.msr) : MsrResult.gp();
            }
            case ViridianMsr.TIME_REF_COUNT -> {
                return d.has(ViridianFeatures.TIME_REF_COUNT) ? MsrResult.read(timeRefCount(c.nowNs())) : MsrResult.gp();
            }
            default -> {
                if (!isStimer(idx)) {
                    return MsrResult.gp();
                }
                if (!d.has(ViridianFeatures.STIMER)) {
                    return MsrResult.gp();
                }
                int x = (idx - ViridianMsr.STIMER0_CONFIG) / 2;
                ViridianStimer vs = vv.stimer[x];
                if ((idx & 1) == 0) {
                    long config = vs.config;
                    // "If the timer is single-shot and it has expired, make sure the enabled flag is clear."
                    if (!vs.periodic() && (vv.stimerPending & (1 << x)) != 0) {
                        config &= ~ViridianStimer.ENABLE;
                    }
                    return MsrResult.read(config);
                }
                return MsrResult.read(vs.count);
            }
        }
    }

    /** {@code viridian_time_wrmsr()}. */
    MsrResult wrmsr(Call c, int idx, long val) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        switch (idx) {
            case ViridianMsr.REFERENCE_TSC -> {
                if (!d.has(ViridianFeatures.REFERENCE_TSC)) {
                    return MsrResult.gp();
                }
                d.referenceTsc.unmap();
                d.referenceTsc.msr = val;
                if (d.referenceTsc.enabled()) {
                    // viridian_map_guest_page() clears the page, update_reference_tsc(d, true) fills it.
                    d.referenceTsc.map(c.memory(), referenceTscPage());
                }
                return MsrResult.done();
            }
            case ViridianMsr.TIME_REF_COUNT -> {
                return MsrResult.gp();
            }
            default -> {
                // TSC_FREQUENCY and APIC_FREQUENCY reach the default case: "unimplemented MSR", #GP.
                if (!isStimer(idx) || !d.has(ViridianFeatures.STIMER)) {
                    return MsrResult.gp();
                }
                int x = (idx - ViridianMsr.STIMER0_CONFIG) / 2;
                ViridianStimer vs = vv.stimer[x];
                stopStimer(c, vv, x);
                if ((idx & 1) == 0) {
                    vs.config = val;
                    if (vs.sintx() == 0 || vs.count == 0) {
                        vs.config &= ~ViridianStimer.ENABLE;
                    }
                } else {
                    vs.count = val;
                    if (vs.count == 0) {
                        vs.config &= ~ViridianStimer.ENABLE;
                    } else if (vs.autoEnable()) {
                        vs.config |= ViridianStimer.ENABLE;
                    }
                }
                if (vs.enabled()) {
                    startStimer(c, vv, x);
                }
                return MsrResult.done();
            }
        }
    }

    /** {@code stop_stimer()}: a started timer's Xen timer is stopped (a cancel, if it was still armed). */
    private static void stopStimer(Call c, ViridianVcpu vv, int x) {
        ViridianStimer vs = vv.stimer[x];
        if (!vs.started) {
            return;
        }
        if (vs.deadlineNs != Long.MAX_VALUE) {
            c.out().timer(new TimerArm(vv.vcpuId, name(x), -1, 0));
        }
        vs.started = false;
    }

    /** {@code start_stimer()}: the next expiry in reference time, a Xen timer at NOW() + (expiration − now) × 100 ns. */
    private void startStimer(Call c, ViridianVcpu vv, int x) {
        ViridianStimer vs = vv.stimer[x];
        long now = timeRefCount(c.nowNs());
        long expiration;
        if (vs.periodic()) {
            // Lazy, or not started: "schedule expiration to be 'count' ticks from now".
            if (!vs.started || vs.lazy()) {
                expiration = now + vs.count;
            } else {
                expiration = vs.expiration + vs.count;
                // Xen's "unsigned int missed": the u64 quotient + 1 is truncated to 32 bits, so
                // 2^32 missed ticks read as 0 and leave the expiration in the past.
                int missed = 0;
                if (expiration - now <= 0) {
                    missed = (int) (Long.divideUnsigned(now - expiration, vs.count) + 1);
                }
                // "the choice of number here is a pure guess"
                if (Integer.compareUnsigned(missed, 3) > 0) {
                    expiration = now + vs.count;
                } else if (missed != 0) {
                    expiration = now + Long.divideUnsigned(vs.count, Integer.toUnsignedLong(missed));
                }
            }
        } else {
            expiration = vs.count;
            if (expiration - now <= 0) {
                vs.expiration = expiration;
                stimerExpire(vv, x);
                return;
            }
        }
        vs.expiration = expiration;
        long timeout = (expiration - now) * HvTime.NS_PER_TICK;
        vs.started = true;
        vv.stimerPending &= ~(1 << x);
        vs.deadlineNs = c.nowNs() + timeout;
        c.out().timer(new TimerArm(vv.vcpuId, name(x), vs.deadlineNs, vs.periodic() ? vs.count * HvTime.NS_PER_TICK : 0));
    }

    /** {@code stimer_expire()}: the Xen timer fired; the message waits for the vCPU's next entry. */
    private static void stimerExpire(ViridianVcpu vv, int x) {
        vv.stimerPending |= 1 << x;
        vv.stimer[x].deadlineNs = Long.MAX_VALUE;
    }

    /** Fires every armed Xen timer whose deadline is not after {@code nowNs}, on every vCPU. */
    void expireDue(long nowNs) {
        for (ViridianVcpu vv : d.vcpus) {
            for (int x = 0; x < ViridianVcpu.STIMER_COUNT; x++) {
                ViridianStimer vs = vv.stimer[x];
                if (vs.started && vs.deadlineNs != Long.MAX_VALUE && vs.deadlineNs <= nowNs) {
                    stimerExpire(vv, x);
                }
            }
        }
    }

    /** {@code viridian_time_poll_timers()} for vCPU {@code c.vcpu()}, as it re-enters the guest. */
    void pollTimers(Call c) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        if (vv.stimerPending == 0) {
            return;
        }
        for (int x = 0; x < ViridianVcpu.STIMER_COUNT; x++) {
            pollStimer(c, vv, x);
        }
    }

    /** {@code poll_stimer()}. */
    private void pollStimer(Call c, ViridianVcpu vv, int x) {
        ViridianStimer vs = vv.stimer[x];
        int bit = 1 << x;
        // "Timer expiry may race with the timer being disabled."
        if (!vs.enabled()) {
            vv.stimerPending &= ~bit;
            return;
        }
        if ((vv.stimerPending & bit) == 0) {
            return;
        }
        if (!synic.deliverTimerMsg(c, vv, vs.sintx(), x, vs.expiration, timeRefCount(c.nowNs()))) {
            return;
        }
        vv.stimerPending &= ~bit;
        if (vs.periodic()) {
            startStimer(c, vv, x);
        } else {
            vs.config &= ~ViridianStimer.ENABLE;
        }
    }

    static boolean isStimer(int idx) {
        return idx >= ViridianMsr.STIMER0_CONFIG && idx <= ViridianMsr.STIMER3_COUNT;
    }

    /** The timer's name in {@link TimerArm}. */
    static String name(int x) {
        return "stimer" + x;
    }

    static void putLe(byte[] b, int off, long v, int n) {
        for (int i = 0; i < n; i++) {
            b[off + i] = (byte) (v >>> (8 * i));
        }
    }
}
