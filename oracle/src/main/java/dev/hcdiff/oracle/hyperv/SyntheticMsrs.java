package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.TimerArm;

import java.util.function.Consumer;

/**
 * RDMSR/WRMSR of the synthetic MSRs (hyperv-abi.md §2.1 and §5), with the personality
 * differences the note lists. A missing privilege raises #GP, as KVM does under enforce-CPUID
 * ({@code hv_check_msr_access()}); an unknown index in 0x40000000–0x400001FF raises #GP everywhere.
 */
final class SyntheticMsrs {

    /** HYPERCALL MSR bit 0, Enable. */
    static final long HYPERCALL_ENABLE = 1L;
    /** HYPERCALL MSR bit 1, Locked: "once set, only a system reset can clear the bit" (TLFS). */
    static final long HYPERCALL_LOCKED = 1L << 1;
    /** HYPERCALL MSR bits 11:2, RsvdP. */
    static final long HYPERCALL_RSVDP = 0xffcL;
    /** HYPERCALL MSR bits 63:12, GPFN. */
    static final long HYPERCALL_GPFN_MASK = ~0xfffL;
    /** KVM's APIC bus frequency, 1e9 / APIC_BUS_CYCLE_NS = 1 (arch/x86/kvm/lapic.h). */
    static final long KVM_APIC_HZ = 1_000_000_000L;
    /** Xen's, 1e9 / APIC_BUS_CYCLE_NS = 10 (xen/arch/x86/include/asm/hvm/vlapic.h), as viridian reports it. */
    static final long XEN_APIC_HZ = 100_000_000L;
    /** Zero page written when a SynIC page is enabled (hyperv-abi.md §5, SIEFP/SIMP). */
    private static final byte[] ZERO_PAGE = new byte[HypercallPage.SIZE];

    private final HvPartition p;

    SyntheticMsrs(HvPartition p) {
        this.p = p;
    }

    MsrResult read(int vp, int index, long nowNs) {
        if (!HvMsr.inWindow(index) || !allowed(index)) {
            return MsrResult.gp();
        }
        SynIc s = p.synicUnchecked(vp);
        return switch (index) {
            case HvMsr.GUEST_OS_ID -> MsrResult.read(p.guestOsId);
            case HvMsr.HYPERCALL -> MsrResult.read(p.hypercallMsr);
            case HvMsr.VP_INDEX -> MsrResult.read(vp);
            // Partition creation is virtual time 0: 100 ns ticks since then, per implementation (HvPartition.referenceTicks).
            case HvMsr.TIME_REF_COUNT -> MsrResult.read(p.referenceTicks(nowNs));
            case HvMsr.SCONTROL -> MsrResult.read(s.scontrol);
            case HvMsr.SVERSION -> MsrResult.read(SynIc.VERSION);
            case HvMsr.SIEFP -> MsrResult.read(s.siefp);
            case HvMsr.SIMP -> MsrResult.read(s.simp);
            case HvMsr.EOM -> MsrResult.read(0);
            case HvMsr.REFERENCE_TSC -> MsrResult.read(p.referenceTscMsr);
            // TLFS App. C: the TSC frequency in Hz (KVM: virtual_tsc_khz * 1000; Xen: tsc_khz * 1000).
            case HvMsr.TSC_FREQUENCY -> MsrResult.read(p.config().tscKhz() * 1000L);
            // The APIC bus: KVM APIC_BUS_FREQUENCY = 1e9 / APIC_BUS_CYCLE_NS (1 ns) = 1 GHz, which the
            // tlfs personality follows (the TLFS gives no value); Xen 1e9 / APIC_BUS_CYCLE_NS (10 ns) = 100 MHz.
            case HvMsr.APIC_FREQUENCY -> MsrResult.read(p.personality() == HvPersonality.XEN_VIRIDIAN
                    ? XEN_APIC_HZ : KVM_APIC_HZ);
            // A read returns the capabilities: CrashNotify (KVM host crash_ctl, Xen CRASH_NOTIFY).
            case HvMsr.CRASH_CTL -> MsrResult.read(HvPartition.CRASH_CTL_NOTIFY);
            default -> {
                if (isCrashParam(index)) {
                    yield MsrResult.read(p.crashParams(vp)[index - HvMsr.CRASH_P0]);
                }
                if (HvMsr.isStimer(index)) {
                    yield p.timers().read(vp, index);
                }
                yield isSint(index) ? MsrResult.read(s.sint[index - HvMsr.SINT0]) : MsrResult.gp();
            }
        };
    }

    MsrResult write(int vp, int index, long value, GuestMemory memory, long nowNs, Consumer<TimerArm> arms) {
        if (!HvMsr.inWindow(index) || !allowed(index)) {
            return MsrResult.gp();
        }
        SynIc s = p.synicUnchecked(vp);
        HvPersonality who = p.personality();
        switch (index) {
            case HvMsr.GUEST_OS_ID -> {
                p.guestOsId = value;
                // TLFS: zeroing the OS id disables the hypercall page; KVM clears Enable too; Xen does not.
                if (value == 0 && who != HvPersonality.XEN_VIRIDIAN) {
                    p.hypercallMsr &= ~HYPERCALL_ENABLE;
                }
                return MsrResult.done();
            }
            case HvMsr.HYPERCALL -> {
                return writeHypercall(value, memory);
            }
            case HvMsr.VP_INDEX -> {
                // Read-only: KVM (ST stage 13) and OpenVMM raise #GP; Xen silently ignores the write.
                return who == HvPersonality.XEN_VIRIDIAN ? MsrResult.done() : MsrResult.gp();
            }
            case HvMsr.TIME_REF_COUNT, HvMsr.SVERSION -> {
                // Read-only; a write raises #GP (TLFS "Timers", "Inter-Partition Communication").
                return MsrResult.gp();
            }
            case HvMsr.SCONTROL -> {
                s.scontrol = value;
                return MsrResult.done();
            }
            case HvMsr.SIEFP -> {
                return writeSynicPage(s, true, value, memory);
            }
            case HvMsr.SIMP -> {
                return writeSynicPage(s, false, value, memory);
            }
            case HvMsr.EOM -> {
                // Rescans the VP's message queues (TLFS IPC "end of message"): the retry happens at the
                // next HvPartition.expireTimers, as KVM retries at the next entry
                // (kvm_hv_notify_acked_sint() → KVM_REQ_HV_STIMER). Xen: EOM has no effect.
                if (who != HvPersonality.XEN_VIRIDIAN) {
                    p.endOfMessage(vp);
                }
                return MsrResult.done();
            }
            case HvMsr.REFERENCE_TSC -> {
                return writeReferenceTsc(value, memory);
            }
            case HvMsr.TSC_FREQUENCY, HvMsr.APIC_FREQUENCY -> {
                // Read-only (TLFS App. C); KVM raises #GP on a write (ST stage 33).
                return MsrResult.gp();
            }
            case HvMsr.CRASH_CTL -> {
                // CrashNotify reports a guest crash with CRASH_P0-P4 to the root (TLFS "Partitions";
                // KVM KVM_REQ_HV_CRASH, the value not stored; Xen SHUTDOWN_crash). Other bits: nothing.
                if ((value & HvPartition.CRASH_CTL_NOTIFY) != 0) {
                    p.crashNotify(vp);
                }
                return MsrResult.done();
            }
            default -> {
                if (isCrashParam(index)) {
                    p.crashParams(vp)[index - HvMsr.CRASH_P0] = value;
                    return MsrResult.done();
                }
                if (HvMsr.isStimer(index)) {
                    return p.timers().write(vp, index, value, nowNs, arms);
                }
                if (!isSint(index)) {
                    return MsrResult.gp();
                }
                return writeSint(s, index - HvMsr.SINT0, value);
            }
        }
    }

    /**
     * HV_X64_MSR_REFERENCE_TSC: stored (RsvdP bits kept, as OpenVMM and KVM keep them); an enabling
     * write publishes the page with the next sequence ({@link ReferenceTsc}), or with sequence 0
     * when the TSC is too slow to scale. A page outside the GPA
     * space: #GP in the TLFS reading (as for the hypercall page), stored but not written in KVM
     * ({@code kvm_hv_setup_tsc_page()} marks it broken) and in Xen (logged).
     */
    private MsrResult writeReferenceTsc(long value, GuestMemory memory) {
        if ((value & SynIc.PAGE_ENABLE) != 0) {
            long khz = p.config().tscKhz();
            boolean valid = ReferenceTsc.scalable(khz);
            int seq = valid ? ReferenceTsc.nextSequence(p.tscSequence) : ReferenceTsc.INVALID_SEQUENCE;
            byte[] page = ReferenceTsc.page(seq, valid ? ReferenceTsc.scale(p.personality(), khz) : 0);
            try {
                memory.writePhysical(value & SynIc.PAGE_GPFN_MASK, page);
                p.tscSequence = seq;
            } catch (GuestFault f) {
                if (p.personality() == HvPersonality.TLFS) {
                    return MsrResult.gp();
                }
            }
        }
        p.referenceTscMsr = value;
        return MsrResult.done();
    }

    /**
     * HV_X64_MSR_HYPERCALL, hyperv-abi.md §2.1 table, per personality.
     */
    private MsrResult writeHypercall(long value, GuestMemory memory) {
        long gpa = value & HYPERCALL_GPFN_MASK;
        switch (p.personality()) {
            case TLFS -> {
                // The TLFS states no fault for a locked or RsvdP write; OpenVMM (msr_write) raises #GP.
                if ((p.hypercallMsr & HYPERCALL_LOCKED) != 0 || (value & HYPERCALL_RSVDP) != 0) {
                    return MsrResult.gp();
                }
                // "If no guest OS identity has been specified ... the enable bit will remain zero."
                long stored = p.guestOsId == 0 ? value & ~HYPERCALL_ENABLE : value;
                boolean wasEnabled = (p.hypercallMsr & HYPERCALL_ENABLE) != 0;
                boolean moved = (p.hypercallMsr & HYPERCALL_GPFN_MASK) != gpa;
                // OpenVMM writes the page only when newly enabled or moved.
                if ((stored & HYPERCALL_ENABLE) != 0 && (!wasEnabled || moved)) {
                    try {
                        memory.writePhysical(gpa, HypercallPage.contents(HvPersonality.TLFS, p.config().vendor()));
                    } catch (GuestFault f) {
                        // "move the hypercall page beyond the bounds of the GPA space, a #GP fault" (TLFS)
                        return MsrResult.gp();
                    }
                }
                p.hypercallMsr = stored;
                return MsrResult.done();
            }
            case KVM -> {
                // kvm_hv_set_msr_pw(): "if guest os id is not set hypercall should remain disabled":
                // the whole write is dropped, no store and no #GP.
                if (p.guestOsId == 0) {
                    return MsrResult.done();
                }
                if ((value & HYPERCALL_ENABLE) != 0) {
                    try {
                        memory.writePhysical(gpa, HypercallPage.contents(HvPersonality.KVM, p.config().vendor()));
                    } catch (GuestFault f) {
                        return MsrResult.gp();
                    }
                }
                p.hypercallMsr = value;
                return MsrResult.done();
            }
            case XEN_VIRIDIAN -> {
                // guest_wrmsr_viridian(): store, and write the page whenever Enable is set; a bad GFN is only logged.
                p.hypercallMsr = value;
                if ((value & HYPERCALL_ENABLE) != 0) {
                    try {
                        memory.writePhysical(gpa, HypercallPage.contents(HvPersonality.XEN_VIRIDIAN, p.config().vendor()));
                    } catch (GuestFault f) {
                        // Xen: gdprintk "Bad GMFN" and carry on.
                    }
                }
                return MsrResult.done();
            }
        }
        throw new IllegalStateException("unreachable personality " + p.personality());
    }

    /**
     * SIEFP / SIMP. An enabling write zeroes the page: OpenVMM when newly enabled or moved (tlfs),
     * KVM on every enabling write ({@code synic_set_msr()}, #GP if the clear fails), Xen maps and
     * clears SIMP on each enabling write and never maps SIEFP (hyperv-abi.md §5, §9 pitfall 10).
     */
    private MsrResult writeSynicPage(SynIc s, boolean sief, long value, GuestMemory memory) {
        long old = sief ? s.siefp : s.simp;
        boolean enabling = (value & SynIc.PAGE_ENABLE) != 0;
        long gpa = value & SynIc.PAGE_GPFN_MASK;
        boolean zero = switch (p.personality()) {
            case TLFS -> enabling && ((old & SynIc.PAGE_ENABLE) == 0 || (old & SynIc.PAGE_GPFN_MASK) != gpa);
            case KVM -> enabling;
            case XEN_VIRIDIAN -> enabling && !sief;
        };
        if (zero) {
            try {
                memory.writePhysical(gpa, ZERO_PAGE);
            } catch (GuestFault f) {
                if (p.personality() != HvPersonality.XEN_VIRIDIAN) {
                    return MsrResult.gp();
                }
                // Xen: viridian_map_guest_page() logs a bad GFN and carries on.
            }
        }
        if (sief) {
            s.siefp = value;
        } else {
            s.simp = value;
        }
        return MsrResult.done();
    }

    /**
     * SINTx: a vector below 16 raises #GP per TLFS and in Xen even when masked (so the reset value
     * 0x10000 faults); KVM faults only when unmasked (hyperv-abi.md §9 pitfall 9).
     */
    private MsrResult writeSint(SynIc s, int n, long value) {
        boolean badVector = (value & SynIc.SINT_VECTOR_MASK) < SynIc.FIRST_VALID_VECTOR;
        boolean masked = (value & SynIc.SINT_MASKED) != 0;
        if (badVector && (p.personality() != HvPersonality.KVM || !masked)) {
            return MsrResult.gp();
        }
        s.sint[n] = value;
        return MsrResult.done();
    }

    /** The privilege an MSR needs (TLFS App. C; hyperv-abi.md §5 table). */
    private boolean allowed(int index) {
        long need;
        if (index == HvMsr.GUEST_OS_ID || index == HvMsr.HYPERCALL) {
            need = HvPrivilege.ACCESS_HYPERCALL_MSRS;
        } else if (index == HvMsr.VP_INDEX) {
            need = HvPrivilege.ACCESS_VP_INDEX;
        } else if (index == HvMsr.TIME_REF_COUNT) {
            need = HvPrivilege.ACCESS_PARTITION_REFERENCE_COUNTER;
        } else if (index == HvMsr.REFERENCE_TSC) {
            need = HvPrivilege.ACCESS_PARTITION_REFERENCE_TSC;
        } else if (index == HvMsr.TSC_FREQUENCY || index == HvMsr.APIC_FREQUENCY) {
            need = HvPrivilege.ACCESS_FREQUENCY_REGS;
        } else if (index >= HvMsr.SCONTROL && index <= HvMsr.SINT15) {
            need = HvPrivilege.ACCESS_SYNIC_REGS;
        } else if (HvMsr.isStimer(index)) {
            // Xen: HVMPV_stimer, mirrored by the mask (viridian_time_rdmsr/wrmsr).
            need = HvPrivilege.ACCESS_SYNTHETIC_TIMER_REGS;
        } else {
            return true;
        }
        long held = p.config().privileges();
        if (p.personality() == HvPersonality.XEN_VIRIDIAN) {
            // Xen always offers these three; the rest follow HVM_PARAM_VIRIDIAN, mirrored by the mask.
            held |= HvCpuid.XEN_ALWAYS;
        }
        return (held & need) == need;
    }

    private static boolean isCrashParam(int index) {
        return index >= HvMsr.CRASH_P0 && index <= HvMsr.CRASH_P4;
    }

    private static boolean isSint(int index) {
        return index >= HvMsr.SINT0 && index <= HvMsr.SINT15;
    }
}
