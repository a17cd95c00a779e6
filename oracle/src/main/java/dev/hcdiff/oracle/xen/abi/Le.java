package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * Little-endian field access for the public Xen structs (x86 is little-endian; every struct here
 * is laid out as gcc lays out {@code xen/include/public/*.h}, see xen-abi.md appendix).
 */
final class Le {

    private Le() {
    }

    /** True for the 32-bit (compat) layouts; rejects the Hyper-V ABI, which has no Xen structs. */
    static boolean is32(Abi abi) {
        return switch (abi) {
            case XEN32 -> true;
            case XEN64 -> false;
            case HV64 -> throw new IllegalArgumentException("Xen structs have no layout under the Hyper-V ABI (hv64)");
        };
    }

    /** Checks that {@code b} holds exactly one struct of {@code size} bytes. */
    static void check(byte[] b, int size, String struct) {
        if (b.length != size) {
            throw new IllegalArgumentException("struct " + struct + " is " + size + " bytes, got " + b.length);
        }
    }

    static int u8(byte[] b, int off) {
        return b[off] & 0xff;
    }

    static int u16(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8;
    }

    /** A 32-bit field as its raw bits (callers treat it as unsigned where Xen does). */
    static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }

    static long u64(byte[] b, int off) {
        return (u32(b, off) & 0xffffffffL) | (long) u32(b, off + 4) << 32;
    }

    static void put8(byte[] b, int off, int v) {
        b[off] = (byte) v;
    }

    static void put16(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
    }

    static void put32(byte[] b, int off, int v) {
        b[off] = (byte) v;
        b[off + 1] = (byte) (v >>> 8);
        b[off + 2] = (byte) (v >>> 16);
        b[off + 3] = (byte) (v >>> 24);
    }

    static void put64(byte[] b, int off, long v) {
        put32(b, off, (int) v);
        put32(b, off + 4, (int) (v >>> 32));
    }
}
