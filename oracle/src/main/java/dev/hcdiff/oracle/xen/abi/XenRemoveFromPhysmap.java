package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_remove_from_physmap} (xen/include/public/memory.h): {@code domid_t domid}@0,
 * {@code xen_pfn_t gpfn}@8, 16 bytes; 32-bit gpfn@4, 8 bytes (xen-abi.md appendix). IN only.
 *
 * @param domid u16
 * @param gpfn  the frame to unmap (zero-extended for 32-bit callers)
 */
public record XenRemoveFromPhysmap(int domid, long gpfn) {

    /** sizeof(struct xen_remove_from_physmap), 64-bit. */
    public static final int SIZE_64 = 16;
    /** sizeof(struct compat_remove_from_physmap). */
    public static final int SIZE_32 = 8;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static XenRemoveFromPhysmap decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_remove_from_physmap" : "xen_remove_from_physmap");
        return Le.is32(abi)
                ? new XenRemoveFromPhysmap(Le.u16(b, 0), Le.u32(b, 4) & 0xffffffffL)
                : new XenRemoveFromPhysmap(Le.u16(b, 0), Le.u64(b, 8));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        if (Le.is32(abi)) {
            Le.put32(b, 4, (int) gpfn);
        } else {
            Le.put64(b, 8, gpfn);
        }
        return b;
    }
}
