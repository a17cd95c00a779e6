package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.record.Interrupt;

import java.util.function.Consumer;

/**
 * A TLFS partition as its guest meets it: the partition-wide GUEST_OS_ID and HYPERCALL MSRs, one
 * {@link SynIc} per VP, the root-configured ports, and the three guest interfaces (CPUID leaves,
 * synthetic MSRs, hypercalls). Single-threaded and deterministic: time comes only from the
 * {@code nowNs} passed in, guest memory only from the {@link GuestMemory} passed in.
 *
 * <p>Scope (issue 2): the calls and MSRs hyperv-abi.md §8a needs for the Xen adapter; the rest of
 * the TLFS surface (STIMER, APIC MSRs, PostMessage, flushes, IPIs) is for issue 4 and answers as an
 * unknown MSR (#GP) or code (INVALID_HYPERCALL_CODE) until then.
 */
public final class HvPartition {

    private final HvConfig config;
    private final SynIc[] synics;
    private final SyntheticMsrs msrs;
    private final HvCalls calls;

    /** HV_X64_MSR_GUEST_OS_ID, partition-wide, initially 0 (TLFS "Reporting the Guest OS Identity"). */
    long guestOsId;
    /** HV_X64_MSR_HYPERCALL, partition-wide, initially 0. */
    long hypercallMsr;

    public HvPartition(HvConfig config) {
        this.config = config;
        this.synics = new SynIc[config.vcpus()];
        // SCONTROL resets to 0 per TLFS, to 1 in KVM (kvm_hv_activate_synic()) (hyperv-abi.md §9 pitfall 10).
        long scontrolReset = config.personality() == HvPersonality.KVM ? SynIc.SCONTROL_ENABLE : 0;
        for (int vp = 0; vp < synics.length; vp++) {
            synics[vp] = new SynIc(scontrolReset);
        }
        this.msrs = new SyntheticMsrs(this);
        this.calls = new HvCalls(this);
    }

    public HvConfig config() {
        return config;
    }

    public HvPersonality personality() {
        return config.personality();
    }

    public long guestOsId() {
        return guestOsId;
    }

    public long hypercallMsr() {
        return hypercallMsr;
    }

    /** The SynIC of VP {@code vp}. @throws IllegalArgumentException for a VP the partition lacks */
    public SynIc synic(int vp) {
        return synics[checkVp(vp)];
    }

    /** CPUID leaf {@code leaf} as {eax, ebx, ecx, edx}; zeros outside 0x40000000–0x40000006. */
    public int[] cpuid(int leaf, int subleaf) {
        return HvCpuid.leaf(this, leaf, subleaf);
    }

    /** RDMSR on VP {@code vp}. */
    public MsrResult rdmsr(int vp, int index, long nowNs) {
        return msrs.read(checkVp(vp), index, nowNs);
    }

    /** WRMSR on VP {@code vp}; pages the write enables are written through {@code memory}. */
    public MsrResult wrmsr(int vp, int index, long value, GuestMemory memory) {
        return msrs.write(checkVp(vp), index, value, memory);
    }

    /**
     * A hypercall from VP {@code vp} in the x64 convention.
     *
     * @param input      the hypercall input value (RCX)
     * @param rdx        input GPA, or input parameter 1 for a fast call
     * @param r8         output GPA, or input parameter 2 for a fast call
     * @param memory     guest memory for slow-call input and the SIEF page
     * @param interrupts receives each SINT the call raised
     * @return the hypercall result value (RAX): status | reps completed &lt;&lt; 32
     */
    public long hypercall(int vp, long input, long rdx, long r8, GuestMemory memory, Consumer<Interrupt> interrupts) {
        return calls.dispatch(checkVp(vp), new HypercallInput(input), rdx, r8, memory, interrupts);
    }

    /**
     * Whether the model implements call code {@code code}; a TLFS call it does not implement yet
     * answers INVALID_HYPERCALL_CODE like an unknown one.
     */
    public static boolean models(int code) {
        return HvCalls.modelled(code);
    }

    /** The number of VPs. */
    public int vcpus() {
        return synics.length;
    }

    SynIc synicUnchecked(int vp) {
        return synics[vp];
    }

    private int checkVp(int vp) {
        if (vp < 0 || vp >= synics.length) {
            throw new IllegalArgumentException("vp " + vp + " out of range: the partition has " + synics.length + " vcpus");
        }
        return vp;
    }
}
