package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.trace.record.MemChunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeMap;

/**
 * Shadows of the pages a backend owns ({@code Backend.ownedPages()}: Xen's shared_info once
 * mapped), each as the backend last left it, so the guest's own writes to them between exits can
 * be found and served back as {@code GuestWrite}s (design.md: "guest writes to pages the Backend
 * owns"). A page outside guest RAM is skipped: there is nothing the guest could have written.
 *
 * <p>Cost: one 4 KiB copy into a reused buffer and an {@link Arrays#mismatch} per owned page per
 * exit; nothing is allocated unless the guest changed something. Single-threaded, like the vCPU.
 */
public final class OwnedPages {

    /** Owned pages are 4 KiB x86 pages. */
    static final int PAGE = 4096;

    private final GuestRam ram;
    /** Page GPA → its bytes as the backend last left them. Ordered, so changes come out in address order. */
    private final TreeMap<Long, byte[]> shadows = new TreeMap<>();
    private final byte[] scratch = new byte[PAGE];

    public OwnedPages(GuestRam ram) {
        this.ram = ram;
    }

    /**
     * The runs of bytes the guest changed in owned pages since the last {@link #afterServed}, each
     * a maximal run of differing bytes with the guest's new values, in address order; the shadows
     * take the new values.
     */
    public List<MemChunk> guestChanges() {
        if (shadows.isEmpty()) {
            return List.of();
        }
        List<MemChunk> out = null;
        for (Map.Entry<Long, byte[]> e : shadows.entrySet()) {
            long page = e.getKey();
            byte[] shadow = e.getValue();
            try {
                ram.read(page, scratch, 0, PAGE);
            } catch (GuestFault notRam) {
                continue;
            }
            int from = Arrays.mismatch(shadow, scratch);
            while (from >= 0) {
                int to = from + 1;
                while (to < PAGE && shadow[to] != scratch[to]) {
                    to++;
                }
                if (out == null) {
                    out = new ArrayList<>();
                }
                out.add(new MemChunk(page + from, Arrays.copyOfRange(scratch, from, to)));
                System.arraycopy(scratch, from, shadow, from, to - from);
                int next = to >= PAGE ? -1 : Arrays.mismatch(shadow, to, PAGE, scratch, to, PAGE);
                from = next < 0 ? -1 : to + next;
            }
        }
        return out == null ? List.of() : out;
    }

    /**
     * After the backend served a request: takes its current set of owned pages and re-reads every
     * page that is new or that the backend wrote ({@code writes}), so the shadow is what the
     * backend left. Nothing else writes guest RAM while a request is served.
     */
    public void afterServed(SortedSet<Long> owned, List<MemChunk> writes) {
        if (owned.isEmpty() && shadows.isEmpty()) {
            return;
        }
        Iterator<Long> it = shadows.keySet().iterator();
        while (it.hasNext()) {
            if (!owned.contains(it.next())) {
                it.remove();
            }
        }
        for (long page : owned) {
            byte[] shadow = shadows.get(page);
            if (shadow == null || touches(writes, page)) {
                if (shadow == null) {
                    shadow = new byte[PAGE];
                }
                try {
                    ram.read(page, shadow, 0, PAGE);
                } catch (GuestFault notRam) {
                    continue;
                }
                shadows.put(page, shadow);
            }
        }
    }

    /** The pages shadowed now, ascending. */
    public List<Long> pages() {
        return List.copyOf(shadows.keySet());
    }

    private static boolean touches(List<MemChunk> writes, long page) {
        for (MemChunk w : writes) {
            if (w.gpa() < page + PAGE && w.gpa() + w.length() > page) {
                return true;
            }
        }
        return false;
    }
}
