package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_add_to_physmap} (xen/include/public/memory.h): {@code domid_t domid}@0,
 * {@code uint16_t size}@2, {@code unsigned int space}@4, {@code xen_ulong_t idx}@8,
 * {@code xen_pfn_t gpfn}@16, 24 bytes; 32-bit ({@code struct compat_add_to_physmap}) idx@8 and
 * gpfn@12 as 32-bit values, 16 bytes (xen-abi.md appendix). IN only.
 *
 * @param domid u16
 * @param size  u16: pages of a XENMAPSPACE_gmfn_range
 * @param space XENMAPSPACE_*
 * @param idx   the frame's index in its space (zero-extended for 32-bit callers)
 * @param gpfn  where to map it (zero-extended for 32-bit callers)
 */
public record XenAddToPhysmap(int domid, int size, int space, long idx, long gpfn) {

    /** sizeof(struct xen_add_to_physmap), 64-bit. */
    public static final int SIZE_64 = 24;
    /** sizeof(struct compat_add_to_physmap). */
    public static final int SIZE_32 = 16;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static XenAddToPhysmap decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_add_to_physmap" : "xen_add_to_physmap");
        return Le.is32(abi)
                ? new XenAddToPhysmap(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u32(b, 8) & 0xffffffffL,
                        Le.u32(b, 12) & 0xffffffffL)
                : new XenAddToPhysmap(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u64(b, 8), Le.u64(b, 16));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        Le.put16(b, 2, size);
        Le.put32(b, 4, space);
        if (Le.is32(abi)) {
            Le.put32(b, 8, (int) idx);
            Le.put32(b, 12, (int) gpfn);
        } else {
            Le.put64(b, 8, idx);
            Le.put64(b, 16, gpfn);
        }
        return b;
    }
}
