package dev.hcdiff.recorder.transport;

import java.util.HashMap;
import java.util.Map;

/**
 * Which ABI each installed transport page speaks, so a stub's exit is decoded by the convention
 * of the page it sits in: a Xen guest under a Xen personality calls Xen's page, a Hyper-V guest
 * calls the page it enabled through HV_X64_MSR_HYPERCALL. The page's ABI is fixed by the MSR
 * that installed it ({@link #familyOfMsr}): 0x40000001 is Hyper-V's hypercall MSR and never
 * Xen's (Xen's page MSR is leaf base+2's EBX: 0x40000000, or 0x40000200 when viridian owns the
 * base, xen-abi.md §2), so no content heuristics are needed. Single-threaded (the vCPU thread).
 */
public final class TransportPages {

    /** The calling convention of a hypercall page. */
    public enum Family { XEN, HYPERV }

    /**
     * HV_X64_MSR_HYPERCALL (TLFS "Establishing the Hypercall Interface", App. C; Linux
     * {@code include/hyperv/hvgdk_mini.h}).
     */
    public static final int HV_X64_MSR_HYPERCALL = 0x4000_0001;

    /** A hypercall page is one 4 KiB page (TLFS: the HYPERCALL MSR holds its GPFN in bits 63:12; Xen: one page per index). */
    private static final long PAGE = 4096;

    private final Map<Long, Family> pages = new HashMap<>();
    private int hyperv;

    /** The family of the page a write to MSR {@code index} installed. */
    public static Family familyOfMsr(int index) {
        return index == HV_X64_MSR_HYPERCALL ? Family.HYPERV : Family.XEN;
    }

    /** Records that the page containing {@code gpa} now holds stubs of {@code family}. */
    public void installed(long gpa, Family family) {
        Family before = pages.put(gpa & -PAGE, family);
        if (before == Family.HYPERV) {
            hyperv--;
        }
        if (family == Family.HYPERV) {
            hyperv++;
        }
    }

    /** True when no page needs a look-up: every page is of one family (or none is installed). */
    public boolean uniform() {
        return hyperv == 0 || hyperv == pages.size();
    }

    /** The family when {@link #uniform()}: Xen unless every installed page is Hyper-V's. */
    public Family uniformFamily() {
        return hyperv > 0 && hyperv == pages.size() ? Family.HYPERV : Family.XEN;
    }

    /**
     * The family of the page holding guest-physical {@code gpa}; Xen for a page no MSR installed
     * (an {@code out} to the transport port outside any hypercall page, as before Hyper-V pages existed).
     */
    public Family familyAt(long gpa) {
        return pages.getOrDefault(gpa & -PAGE, Family.XEN);
    }
}
