package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.hyperv.HypercallPage;
import dev.hcdiff.oracle.hyperv.MsrResult;

import java.util.List;

/**
 * {@code guest_rdmsr_viridian()} and {@code guest_wrmsr_viridian()}
 * ({@code xen/arch/x86/hvm/viridian/viridian.c}, Xen 4.17.7): the partition MSRs and crash MSRs
 * here, the rest handed to {@link ViridianSynic} and {@link ViridianTime} as Xen does. An index
 * none of them implements is #GP ("unimplemented MSR", {@code X86EMUL_EXCEPTION}).
 */
final class ViridianMsrs {

    /** {@code HV_CRASH_CTL_REG_CONTENTS.u.CrashNotify}, bit 63. */
    static final long CRASH_NOTIFY = 1L << 63;
    /** {@code union hv_vp_assist_page_msr} as used for hypercall_gpa: bit 0 enabled, bits 63:12 pfn. */
    static final long HYPERCALL_ENABLED = 1L, HYPERCALL_PFN_MASK = ~0xfffL;

    private final ViridianDomain d;
    private final ViridianSynic synic;
    private final ViridianTime time;

    ViridianMsrs(ViridianDomain d, ViridianSynic synic, ViridianTime time) {
        this.d = d;
        this.synic = synic;
        this.time = time;
    }

    /** {@code guest_wrmsr_viridian()}. */
    @Covers(call = "HV_X64_MSR_GUEST_OS_ID", as = Realisation.EMULATED, via = "vd->guest_os_id")
    @Covers(call = "HV_X64_MSR_HYPERCALL", as = Realisation.EMULATED, via = "enable_hypercall_page (orl $0x80000000,%eax; vmcall)")
    @Covers(call = "HV_X64_MSR_VP_INDEX", as = Realisation.MAPPED, via = "v->vcpu_id")
    @Covers(call = "HV_X64_MSR_CRASH_P0", as = Realisation.EMULATED, via = "vv->crash_param (per vCPU)")
    @Covers(call = "HV_X64_MSR_CRASH_P1", as = Realisation.EMULATED, via = "vv->crash_param (per vCPU)")
    @Covers(call = "HV_X64_MSR_CRASH_P2", as = Realisation.EMULATED, via = "vv->crash_param (per vCPU)")
    @Covers(call = "HV_X64_MSR_CRASH_P3", as = Realisation.EMULATED, via = "vv->crash_param (per vCPU)")
    @Covers(call = "HV_X64_MSR_CRASH_P4", as = Realisation.EMULATED, via = "vv->crash_param (per vCPU)")
    @Covers(call = "HV_X64_MSR_CRASH_CTL", as = Realisation.MAPPED, via = "d->shutdown_code = SHUTDOWN_crash")
    MsrResult wrmsr(Call c, int idx, long val) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        switch (idx) {
            case ViridianMsr.GUEST_OS_ID -> {
                d.guestOsId = val;
                return MsrResult.done();
            }
            case ViridianMsr.HYPERCALL -> {
                d.hypercallGpa = val;
                if ((val & HYPERCALL_ENABLED) != 0) {
                    enableHypercallPage(c);
                }
                return MsrResult.done();
            }
            case ViridianMsr.VP_INDEX -> {
                // Read-only, and a write is silently ignored.
                return MsrResult.done();
            }
            case ViridianMsr.CRASH_CTL -> {
                if ((val & CRASH_NOTIFY) != 0) {
                    d.shutdownCode = ViridianDomain.SHUTDOWN_CRASH;
                    long[] p = vv.crashParam;
                    d.crashes.add(new HyperVOnXen.Crash(c.vcpu(), List.of(p[0], p[1], p[2], p[3], p[4])));
                }
                return MsrResult.done();
            }
            default -> {
                if (idx >= ViridianMsr.CRASH_P0 && idx <= ViridianMsr.CRASH_P4) {
                    vv.crashParam[idx - ViridianMsr.CRASH_P0] = val;
                    return MsrResult.done();
                }
                if (isSynic(idx)) {
                    return synic.wrmsr(c, idx, val);
                }
                if (isTime(idx)) {
                    return time.wrmsr(c, idx, val);
                }
                return unimplemented();
            }
        }
    }

    /** {@code guest_rdmsr_viridian()}. */
    MsrResult rdmsr(Call c, int idx) {
        ViridianVcpu vv = d.vcpus[c.vcpu()];
        return switch (idx) {
            case ViridianMsr.GUEST_OS_ID -> MsrResult.read(d.guestOsId);
            case ViridianMsr.HYPERCALL -> MsrResult.read(d.hypercallGpa);
            case ViridianMsr.VP_INDEX -> MsrResult.read(c.vcpu());
            // A read returns the capability: CrashNotify only.
            case ViridianMsr.CRASH_CTL -> MsrResult.read(CRASH_NOTIFY);
            default -> {
                if (idx >= ViridianMsr.CRASH_P0 && idx <= ViridianMsr.CRASH_P4) {
                    yield MsrResult.read(vv.crashParam[idx - ViridianMsr.CRASH_P0]);
                }
                if (isSynic(idx)) {
                    yield synic.rdmsr(c, idx);
                }
                if (isTime(idx)) {
                    yield time.rdmsr(c, idx);
                }
                yield unimplemented();
            }
        };
    }

    /**
     * The synthetic MSRs viridian lacks: "unimplemented MSR", #GP, where the TLFS defines them
     * (VP_RUNTIME, RESET, GUEST_IDLE, the reenlightenment and debug MSRs ...).
     */
    @Covers(call = "HV_X64_MSR_VP_RUNTIME", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    @Covers(call = "HV_X64_MSR_RESET", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    @Covers(call = "HV_X64_MSR_GUEST_IDLE", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    @Covers(call = "HV_X64_MSR_REENLIGHTENMENT_CONTROL", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    @Covers(call = "HV_X64_MSR_TSC_EMULATION_CONTROL", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    @Covers(call = "HV_X64_MSR_TSC_EMULATION_STATUS", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    @Covers(call = "HV_X64_MSR_TSC_INVARIANT_CONTROL", as = Realisation.GAP, gap = "viridian-msr-unimplemented")
    MsrResult unimplemented() {
        return MsrResult.gp();
    }

    /**
     * {@code enable_hypercall_page()}: {@code orl $0x80000000,%eax; vmcall|vmmcall; ret}, the rest
     * int3, the bytes {@link HypercallPage} gives the xen-viridian personality; a frame that is not
     * writable RAM is only logged ("Bad GMFN").
     */
    private void enableHypercallPage(Call c) {
        try {
            c.memory().writePhysical(d.hypercallGpa & HYPERCALL_PFN_MASK,
                    HypercallPage.contents(HvPersonality.XEN_VIRIDIAN, d.config.vendor()));
        } catch (GuestFault f) {
            c.out().trail("HV_X64_MSR_HYPERCALL: Bad GMFN 0x" + Long.toHexString(d.hypercallGpa >>> 12));
        }
    }

    private static boolean isSynic(int idx) {
        return idx >= ViridianMsr.EOI && idx <= ViridianMsr.VP_ASSIST_PAGE
                || idx >= ViridianMsr.SCONTROL && idx <= ViridianMsr.EOM
                || idx >= ViridianMsr.SINT0 && idx <= ViridianMsr.SINT15;
    }

    private static boolean isTime(int idx) {
        return idx >= ViridianMsr.TIME_REF_COUNT && idx <= ViridianMsr.APIC_FREQUENCY || ViridianTime.isStimer(idx);
    }
}
