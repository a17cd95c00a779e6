package dev.hcdiff.oracle.coverage;

import dev.hcdiff.trace.abi.HvCallCode;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The Hyper-V guest ABI a guest of {@code hyperv-on-xen} can use: every hypercall of
 * {@link HvCallCode}, and the synthetic MSRs of the TLFS (App. C "Hypervisor Synthetic MSRs"; the
 * names are Linux's {@code arch/x86/include/asm/hyperv-tlfs.h} HV_X64_MSR_*; hyperv-abi.md §5).
 * KVM's synthetic-debugger MSRs (0x400000F1–F5, FF) are not the TLFS's and are left out.
 */
public final class HvSurface {

    private HvSurface() {
    }

    /**
     * One synthetic MSR.
     *
     * @param index the MSR index
     * @param name  its HV_X64_MSR_* name, which {@code @Covers(call = ...)} uses
     */
    public record SyntheticMsr(int index, String name) {
    }

    /** A Hyper-V hypercall by its TLFS name, e.g. {@code HvCallSignalEvent}. */
    public record Call(int code, String name) {
    }

    private static final List<SyntheticMsr> MSRS = build();

    private static List<SyntheticMsr> build() {
        List<SyntheticMsr> m = new ArrayList<>();
        m.add(new SyntheticMsr(0x40000000, "HV_X64_MSR_GUEST_OS_ID"));
        m.add(new SyntheticMsr(0x40000001, "HV_X64_MSR_HYPERCALL"));
        m.add(new SyntheticMsr(0x40000002, "HV_X64_MSR_VP_INDEX"));
        m.add(new SyntheticMsr(0x40000003, "HV_X64_MSR_RESET"));
        m.add(new SyntheticMsr(0x40000010, "HV_X64_MSR_VP_RUNTIME"));
        m.add(new SyntheticMsr(0x40000020, "HV_X64_MSR_TIME_REF_COUNT"));
        m.add(new SyntheticMsr(0x40000021, "HV_X64_MSR_REFERENCE_TSC"));
        m.add(new SyntheticMsr(0x40000022, "HV_X64_MSR_TSC_FREQUENCY"));
        m.add(new SyntheticMsr(0x40000023, "HV_X64_MSR_APIC_FREQUENCY"));
        m.add(new SyntheticMsr(0x40000070, "HV_X64_MSR_EOI"));
        m.add(new SyntheticMsr(0x40000071, "HV_X64_MSR_ICR"));
        m.add(new SyntheticMsr(0x40000072, "HV_X64_MSR_TPR"));
        m.add(new SyntheticMsr(0x40000073, "HV_X64_MSR_VP_ASSIST_PAGE"));
        m.add(new SyntheticMsr(0x40000080, "HV_X64_MSR_SCONTROL"));
        m.add(new SyntheticMsr(0x40000081, "HV_X64_MSR_SVERSION"));
        m.add(new SyntheticMsr(0x40000082, "HV_X64_MSR_SIEFP"));
        m.add(new SyntheticMsr(0x40000083, "HV_X64_MSR_SIMP"));
        m.add(new SyntheticMsr(0x40000084, "HV_X64_MSR_EOM"));
        // HV_X64_MSR_SINT0 = 0x40000090 … SINT15 = 0x4000009F
        for (int n = 0; n < 16; n++) {
            m.add(new SyntheticMsr(0x40000090 + n, "HV_X64_MSR_SINT" + n));
        }
        // HV_X64_MSR_STIMER0_CONFIG = 0x400000B0, _COUNT = 0x400000B1, then +2 per timer (0-3)
        for (int n = 0; n < 4; n++) {
            m.add(new SyntheticMsr(0x400000B0 + 2 * n, "HV_X64_MSR_STIMER" + n + "_CONFIG"));
            m.add(new SyntheticMsr(0x400000B1 + 2 * n, "HV_X64_MSR_STIMER" + n + "_COUNT"));
        }
        m.add(new SyntheticMsr(0x400000F0, "HV_X64_MSR_GUEST_IDLE"));
        // HV_X64_MSR_CRASH_P0 = 0x40000100 … CRASH_P4 = 0x40000104
        for (int n = 0; n < 5; n++) {
            m.add(new SyntheticMsr(0x40000100 + n, "HV_X64_MSR_CRASH_P" + n));
        }
        m.add(new SyntheticMsr(0x40000105, "HV_X64_MSR_CRASH_CTL"));
        m.add(new SyntheticMsr(0x40000106, "HV_X64_MSR_REENLIGHTENMENT_CONTROL"));
        m.add(new SyntheticMsr(0x40000107, "HV_X64_MSR_TSC_EMULATION_CONTROL"));
        m.add(new SyntheticMsr(0x40000108, "HV_X64_MSR_TSC_EMULATION_STATUS"));
        m.add(new SyntheticMsr(0x40000118, "HV_X64_MSR_TSC_INVARIANT_CONTROL"));
        return List.copyOf(m);
    }

    /** The TLFS synthetic MSRs, by index. */
    public static List<SyntheticMsr> msrs() {
        return MSRS;
    }

    /** The Hyper-V hypercalls, by code. */
    public static List<Call> calls() {
        return java.util.Arrays.stream(HvCallCode.values())
                .map(c -> new Call(c.code(), c.tlfsName()))
                .sorted(java.util.Comparator.comparingInt(Call::code))
                .toList();
    }

    /** The MSR with this name, if the TLFS defines it. */
    public static Optional<SyntheticMsr> msr(String name) {
        return MSRS.stream().filter(m -> m.name().equals(name)).findFirst();
    }
}
