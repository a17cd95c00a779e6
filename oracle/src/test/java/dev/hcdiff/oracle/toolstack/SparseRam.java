package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

import java.util.TreeMap;

/**
 * Guest RAM made of page-aligned regions anywhere below 4 GiB, identity-translated, for tests that
 * need issue 3's layout (low RAM, [0xFD000000, 0xFE000000), [0xFEFF0000, 0xFF000000)) without
 * allocating 4 GiB. Pages are allocated on first touch; reads of untouched RAM are zeros.
 */
public final class SparseRam implements GuestMemory {

    private final long[][] regions;
    private final TreeMap<Long, byte[]> pages = new TreeMap<>();

    /** @param regions [start, end) byte ranges, page-aligned */
    public SparseRam(long[]... regions) {
        this.regions = regions.clone();
    }

    /** Issue 3's layout for {@code memory} bytes of low RAM. */
    public static SparseRam hvm(long memory) {
        return new SparseRam(new long[] {0, memory}, new long[] {0xFD00_0000L, 0xFE00_0000L},
                new long[] {0xFEFF_0000L, 0xFF00_0000L});
    }

    private boolean isRam(long gpa) {
        for (long[] r : regions) {
            if (gpa >= r[0] && gpa < r[1]) {
                return true;
            }
        }
        return false;
    }

    private void check(long gpa, int len) throws GuestFault {
        if (len < 0 || gpa < 0) {
            throw new GuestFault(gpa, len, "bad access");
        }
        for (long a = gpa; a < gpa + len; a = (a | 0xFFF) + 1) {
            if (!isRam(a)) {
                throw new GuestFault(gpa, len, "not RAM at 0x" + Long.toHexString(a));
            }
        }
    }

    private byte[] page(long gpa) {
        return pages.computeIfAbsent(gpa & ~0xFFFL, k -> new byte[4096]);
    }

    @Override
    public byte[] readPhysical(long gpa, int len) throws GuestFault {
        check(gpa, len);
        byte[] out = new byte[len];
        for (int i = 0; i < len; i++) {
            out[i] = page(gpa + i)[(int) ((gpa + i) & 0xFFF)];
        }
        return out;
    }

    @Override
    public void writePhysical(long gpa, byte[] data) throws GuestFault {
        check(gpa, data.length);
        for (int i = 0; i < data.length; i++) {
            page(gpa + i)[(int) ((gpa + i) & 0xFFF)] = data[i];
        }
    }

    @Override
    public long translate(long linear) throws GuestFault {
        if (!isRam(linear)) {
            throw new GuestFault(linear, 1, "linear address not mapped");
        }
        return linear;
    }

    /** Test set-up: bytes at a RAM address. */
    public void put(long gpa, byte[] data) {
        try {
            writePhysical(gpa, data);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }

    /** Test set-up: bytes at a RAM address. */
    public byte[] get(long gpa, int len) {
        try {
            return readPhysical(gpa, len);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }

    public int u32(long gpa) {
        byte[] b = get(gpa, 4);
        return (b[0] & 0xff) | (b[1] & 0xff) << 8 | (b[2] & 0xff) << 16 | (b[3] & 0xff) << 24;
    }

    public long u64(long gpa) {
        return (u32(gpa) & 0xFFFF_FFFFL) | (long) u32(gpa + 4) << 32;
    }

    public void putU32(long gpa, int v) {
        put(gpa, new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)});
    }
}
