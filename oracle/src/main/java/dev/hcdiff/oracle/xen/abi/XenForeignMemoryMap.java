package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_foreign_memory_map} (xen/include/public/memory.h): {@code domid_t domid}@0,
 * {@code struct xen_memory_map map}@8 (nr_entries@8, buffer@16), 24 bytes; 32-bit map@4
 * (nr_entries@4, buffer@8), 12 bytes. IN only (XENMEM_set_memory_map).
 *
 * @param domid     u16
 * @param nrEntries unsigned
 * @param buffer    guest linear address of the e820 entries
 */
public record XenForeignMemoryMap(int domid, int nrEntries, long buffer) {

    /** sizeof(struct xen_foreign_memory_map), 64-bit. */
    public static final int SIZE_64 = 24;
    /** sizeof(struct compat_foreign_memory_map). */
    public static final int SIZE_32 = 12;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static XenForeignMemoryMap decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_foreign_memory_map" : "xen_foreign_memory_map");
        return Le.is32(abi)
                ? new XenForeignMemoryMap(Le.u16(b, 0), Le.u32(b, 4), Le.u32(b, 8) & 0xffffffffL)
                : new XenForeignMemoryMap(Le.u16(b, 0), Le.u32(b, 8), Le.u64(b, 16));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        if (Le.is32(abi)) {
            Le.put32(b, 4, nrEntries);
            Le.put32(b, 8, (int) buffer);
        } else {
            Le.put32(b, 8, nrEntries);
            Le.put64(b, 16, buffer);
        }
        return b;
    }
}
