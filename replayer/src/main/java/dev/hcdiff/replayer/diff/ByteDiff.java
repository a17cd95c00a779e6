package dev.hcdiff.replayer.diff;

import dev.hcdiff.trace.record.MemChunk;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;

/**
 * Where two runs of guest bytes differ: the chunk's address, the offset of the first differing
 * byte in it, and a short hex window of each side starting at that offset's 8-byte boundary.
 *
 * @param gpa       guest-physical address of the chunk
 * @param offset    offset of the first differing byte from {@code gpa}
 * @param window    offset of the first byte shown (the 8-byte boundary at or below {@code offset})
 * @param a         A's bytes from {@code window}, hex ({@code -} when A has no such chunk)
 * @param b         B's bytes from {@code window}, hex ({@code -} when B has no such chunk)
 * @param differing how many bytes differ (a chunk only one side has: all of its bytes)
 */
public record ByteDiff(long gpa, int offset, int window, String a, String b, int differing) {

    /** Bytes shown per side: two 8-byte words. */
    static final int WINDOW_BYTES = 16;
    /** No chunk on that side. */
    static final String NONE = "-";

    /**
     * The differences between two lists of chunks (what two calls read or wrote), chunk by chunk
     * in order: equal chunks give nothing, chunks at the same address give their first differing
     * byte, chunks at different addresses (or only on one side) give one entry per side.
     */
    static List<ByteDiff> between(List<MemChunk> a, List<MemChunk> b) {
        List<ByteDiff> out = new ArrayList<>();
        for (int i = 0; i < Math.max(a.size(), b.size()); i++) {
            MemChunk ca = i < a.size() ? a.get(i) : null;
            MemChunk cb = i < b.size() ? b.get(i) : null;
            if (ca != null && ca.equals(cb)) {
                continue;
            }
            if (ca != null && cb != null && ca.gpa() == cb.gpa()) {
                byte[] x = ca.data();
                byte[] y = cb.data();
                int first = Arrays.mismatch(x, y);
                int window = first & ~7;
                int differing = Math.abs(x.length - y.length);
                for (int k = first; k < Math.min(x.length, y.length); k++) {
                    if (x[k] != y[k]) {
                        differing++;
                    }
                }
                out.add(new ByteDiff(ca.gpa(), first, window, hex(x, window), hex(y, window), differing));
                continue;
            }
            if (ca != null) {
                out.add(new ByteDiff(ca.gpa(), 0, 0, hex(ca.data(), 0), NONE, ca.length()));
            }
            if (cb != null) {
                out.add(new ByteDiff(cb.gpa(), 0, 0, NONE, hex(cb.data(), 0), cb.length()));
            }
        }
        return out;
    }

    /**
     * True when two lists of bytes read disagree where both read the same address first: the
     * guest passed other bytes. Reading more or fewer bytes is how a hypervisor serves a call,
     * not a difference in what the guest asked; a later read of an address may see the call's own
     * writes, so only the first read of each byte is the guest's input.
     */
    static boolean conflict(List<MemChunk> a, List<MemChunk> b) {
        return !conflicts(a, b).isEmpty();
    }

    /** Where the first reads of the same addresses disagree, one entry per run of A's first reads. */
    static List<ByteDiff> conflicts(List<MemChunk> a, List<MemChunk> b) {
        java.util.TreeMap<Long, Byte> firstB = firstReads(b);
        List<ByteDiff> out = new ArrayList<>();
        java.util.Set<Long> seen = new java.util.HashSet<>();
        for (MemChunk ca : a) {
            byte[] x = ca.data();
            int first = -1;
            int differing = 0;
            byte[] y = x.clone();
            for (int k = 0; k < x.length; k++) {
                long addr = ca.gpa() + k;
                if (!seen.add(addr)) {
                    continue; // a later read of A's: not input
                }
                Byte other = firstB.get(addr);
                if (other != null && other != x[k]) {
                    y[k] = other;
                    differing++;
                    first = first < 0 ? k : first;
                }
            }
            if (first >= 0) {
                int window = first & ~7;
                out.add(new ByteDiff(ca.gpa(), first, window, hex(x, window), hex(y, window), differing));
            }
        }
        return out;
    }

    /** The first value read at each address. */
    private static java.util.TreeMap<Long, Byte> firstReads(List<MemChunk> reads) {
        java.util.TreeMap<Long, Byte> m = new java.util.TreeMap<>();
        for (MemChunk c : reads) {
            for (int k = 0; k < c.length(); k++) {
                m.putIfAbsent(c.gpa() + k, c.byteAt(k));
            }
        }
        return m;
    }

    private static String hex(byte[] d, int from) {
        if (from >= d.length) {
            return "(ends)";
        }
        int to = Math.min(d.length, from + WINDOW_BYTES);
        return HexFormat.of().formatHex(d, from, to) + (to < d.length ? "…" : "");
    }

    /** One line, e.g. {@code 0x101000+0x9: A 0f01d9c3… B 0f01c1c3… (3 bytes differ)}. */
    public String text() {
        return "0x" + Long.toHexString(gpa) + "+0x" + Integer.toHexString(window) + ": A " + a + "  B " + b
                + " (" + differing + " byte" + (differing == 1 ? "" : "s") + " differ from +0x" + Integer.toHexString(offset) + ")";
    }
}
