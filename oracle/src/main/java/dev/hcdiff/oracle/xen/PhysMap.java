package dev.hcdiff.oracle.xen;

import java.util.List;
import java.util.TreeMap;

/**
 * The domain's p2m (guest frame → page) and m2p (page → guest frame), and its page counts, as far
 * as a domU can observe them ({@code xen/arch/x86/mm/p2m.c}, {@code xen/common/memory.c},
 * {@code xen/common/page_alloc.c}). Pages are identities ({@link Frame}), not contents: guest RAM
 * bytes belong to the recorder.
 *
 * <p>The initial RAM is a list of populated ranges; a frame of it is materialised only when an
 * operation touches it, so 3 GiB of RAM costs nothing. Every change is kept in a sorted map, so
 * iteration order never depends on hashing.
 */
public final class PhysMap {

    /** {@code INVALID_M2P_ENTRY}: a page mapped at no guest frame. */
    public static final long INVALID_M2P_ENTRY = -1;

    /**
     * The largest guest frame a 4-level EPT maps: {@code ept_set_entry()} refuses
     * {@code gfn >> ((wl + 1) * EPT_TABLE_ORDER)} ≠ 0 with -EINVAL, wl = 3 and EPT_TABLE_ORDER = 9,
     * i.e. frames ≥ 2^36 (xen/arch/x86/mm/p2m-ept.c). The model applies the same bound on AMD
     * (p2m-pt.c was not checked).
     */
    public static final long P2M_GFN_LIMIT = 1L << 36;

    /** What a page is, as the p2m type and {@code is_special_page()} tell it. */
    public enum Kind {
        /** Domain RAM ({@code p2m_ram_rw}, counted in tot_pages, freed when unmapped by add_to_physmap). */
        RAM,
        /** Xen's shared_info page (a Xen heap page shared with the guest: special). */
        SHARED_INFO,
        /** A grant-table frame (Xen heap, special). */
        GRANT_TABLE,
        /** The vLAPIC's APIC-access page ({@code p2m_mmio_direct}), Intel only. */
        MMIO_DIRECT
    }

    /** One page: its kind, index (grant frame number, or the gfn RAM was first populated at) and m2p. */
    public static final class Frame {
        final Kind kind;
        final long index;
        long m2p;

        Frame(Kind kind, long index, long m2p) {
            this.kind = kind;
            this.index = index;
            this.m2p = m2p;
        }

        public Kind kind() {
            return kind;
        }

        /** {@code get_gpfn_from_mfn()}: where the page is mapped, or {@link #INVALID_M2P_ENTRY}. */
        public long m2p() {
            return m2p;
        }

        /** {@code is_special_page()}: Xen heap pages shared with the domain. */
        public boolean special() {
            return kind == Kind.SHARED_INFO || kind == Kind.GRANT_TABLE || kind == Kind.MMIO_DIRECT;
        }

        @Override
        public String toString() {
            return kind + (kind == Kind.GRANT_TABLE ? "#" + index : "") + "@" + (m2p < 0 ? "-" : Long.toHexString(m2p));
        }
    }

    /** Marks a frame of the initial RAM that is no longer mapped. */
    private static final Frame NONE = new Frame(Kind.RAM, -1, INVALID_M2P_ENTRY);

    private final List<long[]> initialRam;
    private final TreeMap<Long, Frame> changed = new TreeMap<>();
    private long totPages;
    private final long maxPages;
    private long maxMappedPfn;

    /**
     * @param initialRam populated [start, end) frame ranges, ascending, disjoint
     * @param maxPages   {@code d->max_pages}
     */
    PhysMap(List<long[]> initialRam, long maxPages) {
        this.initialRam = List.copyOf(initialRam);
        long tot = 0;
        long max = 0;
        for (long[] r : initialRam) {
            tot += r[1] - r[0];
            max = Math.max(max, r[1] - 1);
        }
        this.totPages = tot;
        this.maxPages = maxPages;
        this.maxMappedPfn = max;
    }

    /** {@code domain_tot_pages(d)}. */
    public long totPages() {
        return totPages;
    }

    /** {@code d->max_pages}. */
    public long maxPages() {
        return maxPages;
    }

    /** {@code domain_get_maximum_gpfn()}: {@code p2m->max_mapped_pfn}, which only grows. */
    public long maxMappedPfn() {
        return maxMappedPfn;
    }

    /** The kind of page mapped at {@code gfn}, or null ({@code p2m_invalid}); changes nothing. */
    public Kind kindAt(long gfn) {
        Frame f = changed.get(gfn);
        if (f != null) {
            return f == NONE ? null : f.kind;
        }
        return inInitialRam(gfn) ? Kind.RAM : null;
    }

    /** The page mapped at {@code gfn}, or null ({@code p2m_invalid}); for operations that move pages. */
    Frame lookup(long gfn) {
        Frame f = changed.get(gfn);
        if (f != null) {
            return f == NONE ? null : f;
        }
        if (!inInitialRam(gfn)) {
            return null;
        }
        Frame ram = new Frame(Kind.RAM, gfn, gfn);
        changed.put(gfn, ram);
        return ram;
    }

    /** True when {@code gfn} holds RAM-typed memory ({@code p2m_is_ram()}: RAM, shared_info, grant frames). */
    public boolean isRam(long gfn) {
        Kind k = kindAt(gfn);
        return k != null && k != Kind.MMIO_DIRECT;
    }

    private boolean inInitialRam(long gfn) {
        for (long[] r : initialRam) {
            if (gfn >= r[0] && gfn < r[1]) {
                return true;
            }
        }
        return false;
    }

    /**
     * {@code p2m_set_entry()} + m2p: maps {@code frame} at {@code gfn}; -EINVAL beyond the EPT's
     * reach (nothing changes).
     *
     * @return 0 or -EINVAL
     */
    int set(long gfn, Frame frame) {
        if (gfn < 0 || gfn >= P2M_GFN_LIMIT) {
            return -dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
        }
        changed.put(gfn, frame);
        if (frame.kind != Kind.MMIO_DIRECT) {
            frame.m2p = gfn;
        }
        maxMappedPfn = Math.max(maxMappedPfn, gfn);
        return 0;
    }

    /** {@code p2m_remove_page()}: unmaps the page at {@code gfn}; its m2p becomes invalid. */
    void remove(long gfn) {
        Frame f = lookup(gfn);
        if (f != null && f.m2p == gfn) {
            f.m2p = INVALID_M2P_ENTRY;
        }
        changed.put(gfn, NONE);
    }

    /** A page allocated to the domain ({@code alloc_domheap_pages()}), not mapped; false past max_pages. */
    Frame allocRam() {
        if (totPages + 1 > maxPages) {
            return null;
        }
        totPages++;
        return new Frame(Kind.RAM, -1, INVALID_M2P_ENTRY);
    }

    /** Room for {@code n} more pages below max_pages ({@code assign_pages()}'s check). */
    boolean canAllocate(long n) {
        return totPages + n <= maxPages;
    }

    /** Counts pages allocated without mapping them (XENMEM_increase_reservation). */
    void allocUnmapped(long n) {
        totPages += n;
    }

    /** A RAM page leaves the domain ({@code guest_remove_page()} of domain memory). */
    void freeRam() {
        totPages--;
    }

    /** A new Xen heap page shared with the guest (shared_info, a grant frame), not mapped yet. */
    static Frame special(Kind kind, long index) {
        return new Frame(kind, index, INVALID_M2P_ENTRY);
    }
}
