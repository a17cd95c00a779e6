package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_memory_reservation} (xen/include/public/memory.h): 64-bit
 * {@code XEN_GUEST_HANDLE(xen_pfn_t) extent_start}@0, {@code xen_ulong_t nr_extents}@8,
 * {@code unsigned int extent_order}@16, {@code unsigned int mem_flags}@20, {@code domid_t domid}@24,
 * 32 bytes; 32-bit ({@code struct compat_memory_reservation}) @0/4/8/12/16, 20 bytes (xen-abi.md
 * appendix). IN only: Xen never copies it back.
 *
 * @param extentStart guest linear address of the xen_pfn_t array (a compat_pfn_t array for 32-bit callers), 0 = NULL
 * @param nrExtents   unsigned
 * @param extentOrder unsigned
 * @param memFlags    XENMEMF_* bits
 * @param domid       u16
 */
public record XenMemoryReservation(long extentStart, long nrExtents, int extentOrder, int memFlags, int domid) {

    /** sizeof(struct xen_memory_reservation), 64-bit. */
    public static final int SIZE_64 = 32;
    /** sizeof(struct compat_memory_reservation). */
    public static final int SIZE_32 = 20;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    /** Bytes of one extent_start entry: xen_pfn_t (8) or compat_pfn_t (4). */
    public static int pfnSize(Abi abi) {
        return Le.is32(abi) ? 4 : 8;
    }

    public static XenMemoryReservation decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_memory_reservation" : "xen_memory_reservation");
        return Le.is32(abi)
                ? new XenMemoryReservation(Le.u32(b, 0) & 0xffffffffL, Le.u32(b, 4) & 0xffffffffL, Le.u32(b, 8),
                        Le.u32(b, 12), Le.u16(b, 16))
                : new XenMemoryReservation(Le.u64(b, 0), Le.u64(b, 8), Le.u32(b, 16), Le.u32(b, 20), Le.u16(b, 24));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        if (Le.is32(abi)) {
            Le.put32(b, 0, (int) extentStart);
            Le.put32(b, 4, (int) nrExtents);
            Le.put32(b, 8, extentOrder);
            Le.put32(b, 12, memFlags);
            Le.put16(b, 16, domid);
        } else {
            Le.put64(b, 0, extentStart);
            Le.put64(b, 8, nrExtents);
            Le.put32(b, 16, extentOrder);
            Le.put32(b, 20, memFlags);
            Le.put16(b, 24, domid);
        }
        return b;
    }
}
