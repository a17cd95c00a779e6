package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_pod_target} (xen/include/public/memory.h): {@code uint64_t target_pages}@0,
 * OUT {@code tot_pages}@8, {@code pod_cache_pages}@16, {@code pod_entries}@24, {@code domid_t
 * domid}@32; 40 bytes, or 36 for 32-bit callers (uint64_t aligned to 4, so the struct pads to 36).
 * Only its domid matters to a domU: XSM refuses the rest.
 */
public record XenPodTarget(long targetPages, int domid) {

    /** sizeof(struct xen_pod_target), 64-bit. */
    public static final int SIZE_64 = 40;
    /** sizeof(struct compat_pod_target). */
    public static final int SIZE_32 = 36;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static XenPodTarget decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_pod_target" : "xen_pod_target");
        return new XenPodTarget(Le.u64(b, 0), Le.u16(b, 32));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put64(b, 0, targetPages);
        Le.put16(b, 32, domid);
        return b;
    }
}
