package dev.hcdiff.oracle.xen.abi;

/**
 * {@code struct e820entry} as XENMEM_memory_map copies it ({@code xen/arch/x86/include/asm/e820.h},
 * {@code __attribute__((packed))}): {@code uint64_t addr}@0, {@code uint64_t size}@8,
 * {@code uint32_t type}@16, 20 bytes in both ABIs.
 *
 * @param addr start, guest-physical bytes
 * @param size length in bytes
 * @param type E820_RAM (1), E820_RESERVED (2), …
 */
public record E820Entry(long addr, long size, int type) {

    /** sizeof(struct e820entry), packed. */
    public static final int SIZE = 20;

    public static E820Entry decode(byte[] b, int off) {
        return new E820Entry(Le.u64(b, off), Le.u64(b, off + 8), Le.u32(b, off + 16));
    }

    public void encodeInto(byte[] b, int off) {
        Le.put64(b, off, addr);
        Le.put64(b, off + 8, size);
        Le.put32(b, off + 16, type);
    }
}
