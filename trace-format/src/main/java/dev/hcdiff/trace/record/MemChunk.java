package dev.hcdiff.trace.record;

import java.util.Arrays;
import java.util.HexFormat;

/**
 * A run of guest bytes at a guest-physical address: what a call read or wrote.
 *
 * <p>Immutable: the constructor and {@link #data()} copy. Equality is by address and content.
 *
 * @param gpa  guest-physical address of the first byte
 * @param data the bytes, in guest order
 */
public record MemChunk(long gpa, byte[] data) {

    public MemChunk {
        data = data.clone();
    }

    @Override
    public byte[] data() {
        return data.clone();
    }

    /** Number of bytes. */
    public int length() {
        return data.length;
    }

    /** The byte at {@code offset} from {@link #gpa()}, without copying. */
    public byte byteAt(int offset) {
        return data[offset];
    }

    /** The bytes of {@code [addr, addr+len)}, which must lie inside this chunk ({@link #covers}). */
    public byte[] slice(long addr, int len) {
        int from = Math.toIntExact(addr - gpa);
        return java.util.Arrays.copyOfRange(data, from, from + len);
    }

    /** True when {@code [addr, addr+len)} lies inside this chunk. */
    public boolean covers(long addr, int len) {
        return addr >= gpa && addr + len <= gpa + data.length;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof MemChunk(long g, byte[] d) && g == gpa && Arrays.equals(d, data);
    }

    @Override
    public int hashCode() {
        return Long.hashCode(gpa) * 31 + Arrays.hashCode(data);
    }

    @Override
    public String toString() {
        return "0x" + Long.toHexString(gpa) + ":" + HexFormat.of().formatHex(data);
    }
}
