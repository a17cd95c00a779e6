package dev.hcdiff.trace.codec;

import java.util.Arrays;

/**
 * Where the encoder writes: a growable array ({@link #growable}), a caller's array with a hard
 * limit ({@link #into}), or nowhere at all ({@link #counting}), which measures the exact size of an
 * encoding with the same code path that writes it. Not thread-safe; one per encode call, except a
 * growable one, which {@link EncodeBuffer} reuses through {@link #reset}.
 */
final class BytesOut {

    private byte[] buf;
    private final int start;
    private int pos;
    private int limit;
    private final boolean grows;

    private BytesOut(byte[] buf, int start, int limit, boolean grows) {
        this.buf = buf;
        this.start = start;
        this.pos = start;
        this.limit = limit;
        this.grows = grows;
    }

    static BytesOut growable(int initialCapacity) {
        return new BytesOut(new byte[initialCapacity], 0, initialCapacity, true);
    }

    static BytesOut into(byte[] dst, int offset) {
        if (offset < 0 || offset > dst.length) {
            throw new IllegalArgumentException("offset " + offset + " outside a " + dst.length + "-byte array");
        }
        return new BytesOut(dst, offset, dst.length, false);
    }

    static BytesOut counting() {
        return new BytesOut(null, 0, Integer.MAX_VALUE, false);
    }

    /** Bytes written (or counted) so far. */
    int written() {
        return pos - start;
    }

    /** Starts writing again from the start of a growable writer's array, keeping its capacity. */
    void reset() {
        pos = start;
    }

    /** The array written into: the bytes {@code [0, written())} of a growable writer. */
    byte[] array() {
        return buf;
    }

    /** A copy of the bytes written by a growable or fixed writer. */
    byte[] toByteArray() {
        return Arrays.copyOfRange(buf, start, pos);
    }

    /** Makes room for {@code n} more bytes; false when only counting. */
    private boolean room(int n) {
        if (n > limit - pos) {
            if (!grows) {
                throw new IllegalArgumentException("destination too small: the record needs more than "
                        + (limit - start) + " bytes (ask RecordCodec.neededCapacity)");
            }
            int newCap = Math.max(buf.length * 2, pos + n);
            buf = Arrays.copyOf(buf, newCap);
            limit = newCap;
        }
        if (buf == null) {
            pos += n;
            return false;
        }
        return true;
    }

    void u8(int b) {
        if (room(1)) {
            buf[pos++] = (byte) b;
        }
    }

    /** Two bytes, big-endian, so a cookie reads as its hex value in a dump. */
    void u16(int v) {
        if (room(2)) {
            buf[pos++] = (byte) (v >>> 8);
            buf[pos++] = (byte) v;
        }
    }

    /** A signed value as a zig-zag LEB128 varint ({@link VarInts}). */
    void var(long v) {
        long u = VarInts.zigZag(v);
        int n = VarInts.unsignedSize(u);
        if (room(n)) {
            pos = VarInts.putUnsigned(buf, pos, u);
        }
    }

    /** A length-prefixed byte array. */
    void bytes(byte[] data) {
        var(data.length);
        raw(data, 0, data.length);
    }

    void raw(byte[] data, int off, int len) {
        if (room(len)) {
            System.arraycopy(data, off, buf, pos, len);
            pos += len;
        }
    }

    /**
     * A length-prefixed UTF-8 string, encoded by hand so nothing is allocated.
     *
     * @throws IllegalArgumentException when {@code s} holds an unpaired surrogate: UTF-8 cannot carry
     *                                  it, so the record could not round-trip
     */
    void string(String s) {
        int n = utf8Length(s);
        var(n);
        if (!room(n)) {
            return;
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                buf[pos++] = (byte) c;
            } else if (c < 0x800) {
                buf[pos++] = (byte) (0xC0 | (c >> 6));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            } else if (Character.isHighSurrogate(c)) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                buf[pos++] = (byte) (0xF0 | (cp >> 18));
                buf[pos++] = (byte) (0x80 | ((cp >> 12) & 0x3F));
                buf[pos++] = (byte) (0x80 | ((cp >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (cp & 0x3F));
            } else {
                buf[pos++] = (byte) (0xE0 | (c >> 12));
                buf[pos++] = (byte) (0x80 | ((c >> 6) & 0x3F));
                buf[pos++] = (byte) (0x80 | (c & 0x3F));
            }
        }
    }

    /** UTF-8 length of {@code s}; rejects unpaired surrogates (RFC 3629 §3). */
    static int utf8Length(String s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else if (Character.isSurrogate(c)) {
                throw new IllegalArgumentException("string has an unpaired surrogate at index " + i
                        + " and cannot be stored as UTF-8: " + shorten(s));
            } else {
                n += 3;
            }
        }
        return n;
    }

    private static String shorten(String s) {
        return s.length() <= 40 ? s : s.substring(0, 40) + "…";
    }
}
