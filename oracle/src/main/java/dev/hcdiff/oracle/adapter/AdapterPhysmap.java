package dev.hcdiff.oracle.adapter;

import java.util.List;
import java.util.TreeMap;

/**
 * The adapter's book of the guest's physical frames, as far as the Xen calls it serves need one:
 * which frames hold the partition's RAM, where its shared_info overlay sits, and Xen's page counts
 * ({@code tot_pages}, {@code max_pages}, the highest frame mapped) that XENMEM_current_reservation,
 * _maximum_reservation and _maximum_gpfn report.
 *
 * <p>A Hyper-V guest cannot change its partition's memory (GPA mapping is the parent's,
 * HvCallMapGpaPages; hyperv-abi.md §8a), so the RAM ranges are fixed at creation; only the
 * adapter's own overlay moves. Where the overlay covers RAM the adapter stops counting that page,
 * as Xen frees the RAM page it maps shared_info over ({@code xenmem_add_to_physmap_one()}); the
 * partition's RAM is still there underneath, unseen while the overlay covers it.
 *
 * <p>Frames are materialised only when something changes them, in a sorted map (no hash order).
 */
final class AdapterPhysmap {

    /** What sits at a frame. */
    enum Kind {
        /** The partition's RAM. */
        RAM,
        /** The adapter's shared_info overlay. */
        SHARED_INFO,
        /** The local APIC's page, which is not RAM (no overlay may cover it). */
        APIC
    }

    /**
     * The largest frame a 4-level second-level table maps: frames at or above 2^36 are refused with
     * -EINVAL (xen/arch/x86/mm/p2m-ept.c {@code ept_set_entry()}, 4 levels of 9 bits); Hyper-V's SLAT
     * on the same CPU has the same reach.
     */
    static final long GFN_LIMIT = 1L << 36;

    private static final Object NONE = new Object();

    private final List<long[]> initialRam;
    private final TreeMap<Long, Object> changed = new TreeMap<>();
    private final long maxPages;
    private long totPages;
    private long maxMappedPfn;
    private long sharedInfoGfn = -1;

    /**
     * @param initialRam the RAM frames as [start, end) ranges, ascending
     * @param maxPages   {@code max_pages} the toolstack set
     * @param apicGfn    the APIC page's frame, or -1 when it is not a mapped frame
     */
    AdapterPhysmap(List<long[]> initialRam, long maxPages, long apicGfn) {
        this.initialRam = List.copyOf(initialRam);
        this.maxPages = maxPages;
        for (long[] r : initialRam) {
            totPages += r[1] - r[0];
            maxMappedPfn = Math.max(maxMappedPfn, r[1] - 1);
        }
        if (apicGfn >= 0) {
            changed.put(apicGfn, Kind.APIC);
            maxMappedPfn = Math.max(maxMappedPfn, apicGfn);
        }
    }

    long totPages() {
        return totPages;
    }

    long maxPages() {
        return maxPages;
    }

    long maxMappedPfn() {
        return maxMappedPfn;
    }

    /** What is at {@code gfn}, or null for nothing. */
    Kind kindAt(long gfn) {
        Object o = changed.get(gfn);
        if (o != null) {
            return o == NONE ? null : (Kind) o;
        }
        for (long[] r : initialRam) {
            if (gfn >= r[0] && gfn < r[1]) {
                return Kind.RAM;
            }
        }
        return null;
    }

    /** Where the shared_info overlay is, or -1. */
    long sharedInfoGfn() {
        return sharedInfoGfn;
    }

    /**
     * Places the shared_info overlay at {@code gfn} (checked by the caller: below {@link #GFN_LIMIT},
     * not the APIC page): it leaves its old frame, and RAM it covers stops being counted.
     */
    void mapSharedInfo(long gfn) {
        if (sharedInfoGfn >= 0 && sharedInfoGfn != gfn) {
            changed.put(sharedInfoGfn, NONE);
        }
        if (kindAt(gfn) == Kind.RAM) {
            totPages--;
        }
        changed.put(gfn, Kind.SHARED_INFO);
        sharedInfoGfn = gfn;
        maxMappedPfn = Math.max(maxMappedPfn, gfn);
    }

    /** RAM at {@code gfn} leaves the book (it stays the domain's, so tot_pages does not change). */
    void removeRam(long gfn) {
        changed.put(gfn, NONE);
    }

    /** Takes the overlay away; its frame is then empty. */
    void unmapSharedInfo() {
        if (sharedInfoGfn >= 0) {
            changed.put(sharedInfoGfn, NONE);
            sharedInfoGfn = -1;
        }
    }
}
