package dev.hcdiff.oracle.viridian;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

/**
 * {@code struct viridian_page}: a guest page viridian maps (VP assist, SIMP, reference TSC), its
 * MSR value (bit 0 enabled, bits 63:12 pfn: {@code union hv_vp_assist_page_msr}) and whether the
 * mapping succeeded ({@code vp->ptr}).
 */
final class ViridianPage {

    /** Bit 0, enabled. */
    static final long ENABLED = 1L;
    /** Bits 63:12, pfn. */
    static final long PFN_MASK = ~0xfffL;
    /** PAGE_SIZE. */
    static final int SIZE = 4096;
    private static final byte[] ZERO_PAGE = new byte[SIZE];

    long msr;
    /** The guest-physical address mapped, or -1 ({@code vp->ptr == NULL}). */
    long mapped = -1;

    boolean enabled() {
        return (msr & ENABLED) != 0;
    }

    /** {@code viridian_unmap_guest_page()}. */
    void unmap() {
        mapped = -1;
    }

    /**
     * {@code viridian_map_guest_page()}: once mapped, the page is cleared ({@code clear_page});
     * a frame that is not writable RAM is only logged ("Bad GMFN") and stays unmapped.
     */
    void map(GuestMemory memory) {
        map(memory, ZERO_PAGE);
    }

    /**
     * {@link #map(GuestMemory)} followed by the hypervisor filling the cleared page: written once,
     * as {@code contents}, which is what the guest finds when it next runs.
     */
    void map(GuestMemory memory, byte[] contents) {
        if (mapped >= 0) {
            return;
        }
        long gpa = msr & PFN_MASK;
        try {
            memory.writePhysical(gpa, contents);
            mapped = gpa;
        } catch (GuestFault f) {
            mapped = -1;
        }
    }
}
