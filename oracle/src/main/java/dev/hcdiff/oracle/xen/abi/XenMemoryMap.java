package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_memory_map} (xen/include/public/memory.h): IN/OUT {@code unsigned int
 * nr_entries}@0, {@code XEN_GUEST_HANDLE(void) buffer}@8, 16 bytes; 32-bit buffer@4, 8 bytes
 * (xen-abi.md appendix). Xen copies the whole struct back, so the 64-bit padding @4 keeps the
 * guest's bytes.
 *
 * @param nrEntries IN: room in the buffer; OUT: entries written (unsigned)
 * @param buffer    guest linear address of an array of 20-byte {@link E820Entry}
 * @param pad       the 64-bit layout's padding @4, as the guest left it (0 for 32-bit)
 */
public record XenMemoryMap(int nrEntries, long buffer, int pad) {

    /** sizeof(struct xen_memory_map), 64-bit. */
    public static final int SIZE_64 = 16;
    /** sizeof(struct compat_memory_map). */
    public static final int SIZE_32 = 8;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static XenMemoryMap decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_memory_map" : "xen_memory_map");
        return Le.is32(abi)
                ? new XenMemoryMap(Le.u32(b, 0), Le.u32(b, 4) & 0xffffffffL, 0)
                : new XenMemoryMap(Le.u32(b, 0), Le.u64(b, 8), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, nrEntries);
        if (Le.is32(abi)) {
            Le.put32(b, 4, (int) buffer);
        } else {
            Le.put32(b, 4, pad);
            Le.put64(b, 8, buffer);
        }
        return b;
    }

    public XenMemoryMap withNrEntries(int n) {
        return new XenMemoryMap(n, buffer, pad);
    }
}
