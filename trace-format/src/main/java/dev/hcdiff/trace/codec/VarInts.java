package dev.hcdiff.trace.codec;

/**
 * Variable-length integers of the binary record format: a signed value is first zig-zag mapped,
 * {@code (v << 1) ^ (v >> 63)}, so that small negative numbers stay short, and the result is
 * written as a <em>standard unsigned LEB128</em> (Little Endian Base 128) varint: seven value bits
 * per byte, least significant group first, the high bit set on every byte but the last.
 *
 * <p>This is exactly Protocol Buffers' {@code sint64} wire encoding
 * (protobuf.dev/programming-guides/encoding, "Base 128 Varints" and "Signed Integers"): a 64-bit
 * value takes 1 to 10 bytes. It is <em>not</em> HdrHistogram's {@code ZigZagEncoding}
 * "LEB128-64b9B" variant, which stores all eight bits in a ninth byte and caps at 9 bytes; the two
 * disagree on every value of 2^56 and above.
 *
 * <p>The decoder is strict so that decode-then-encode gives back the same bytes: it rejects more
 * than 10 bytes, a tenth byte carrying more than the one remaining bit, and an over-long
 * encoding (a final byte of zero after a continuation byte).
 */
final class VarInts {

    /** Longest encoding of a 64-bit value: ceil(64 / 7). */
    static final int MAX_BYTES = 10;

    private VarInts() {
    }

    /** The zig-zag mapping: 0, -1, 1, -2, 2 … become 0, 1, 2, 3, 4 …. */
    static long zigZag(long v) {
        return (v << 1) ^ (v >> 63);
    }

    /** Inverse of {@link #zigZag}. */
    static long unZigZag(long u) {
        return (u >>> 1) ^ -(u & 1);
    }

    /** Number of bytes {@link #putUnsigned} writes for {@code u} (an unsigned 64-bit value). */
    static int unsignedSize(long u) {
        // bits needed (at least 1), 7 per byte
        int bits = 64 - Long.numberOfLeadingZeros(u | 1);
        return (bits + 6) / 7;
    }

    /** Number of bytes a signed value takes. */
    static int signedSize(long v) {
        return unsignedSize(zigZag(v));
    }

    /**
     * Writes {@code u} as an unsigned LEB128 varint at {@code dst[pos]}.
     *
     * @return the position after the last byte written
     */
    static int putUnsigned(byte[] dst, int pos, long u) {
        while ((u & ~0x7FL) != 0) {
            dst[pos++] = (byte) ((u & 0x7F) | 0x80);
            u >>>= 7;
        }
        dst[pos++] = (byte) u;
        return pos;
    }

    /** Writes a signed value zig-zag mapped; returns the position after it. */
    static int putSigned(byte[] dst, int pos, long v) {
        return putUnsigned(dst, pos, zigZag(v));
    }
}
