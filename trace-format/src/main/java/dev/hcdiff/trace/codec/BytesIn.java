package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.TraceFormatException;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Where the decoder reads: a bounded window of an array. Every read checks the bytes left and
 * every length read is bounded by them, so corrupt input gives a {@link TraceFormatException}
 * naming the byte offset, never an index exception or a huge allocation. Not thread-safe.
 */
final class BytesIn {

    private final byte[] buf;
    private final int start;
    private final int limit;
    private int pos;

    BytesIn(byte[] buf, int offset, int length) {
        if (offset < 0 || length < 0 || offset > buf.length - length) {
            throw new IllegalArgumentException("window [" + offset + ", +" + length + ") outside a "
                    + buf.length + "-byte array");
        }
        this.buf = buf;
        this.start = offset;
        this.pos = offset;
        this.limit = offset + length;
    }

    /** Offset of the next byte from the start of the record. */
    int position() {
        return pos - start;
    }

    int remaining() {
        return limit - pos;
    }

    /** An error at the current position. */
    TraceFormatException error(String problem) {
        return errorAt(position(), problem);
    }

    static TraceFormatException errorAt(int offset, String problem) {
        return new TraceFormatException("byte " + offset + ": " + problem, offset);
    }

    private void need(int n, String what) {
        if (n > limit - pos) {
            throw error("truncated: " + what + " needs " + n + " byte" + (n == 1 ? "" : "s")
                    + ", " + (limit - pos) + " left");
        }
    }

    int u8(String what) {
        need(1, what);
        return buf[pos++] & 0xFF;
    }

    int u16(String what) {
        need(2, what);
        int v = ((buf[pos] & 0xFF) << 8) | (buf[pos + 1] & 0xFF);
        pos += 2;
        return v;
    }

    /** A zig-zag LEB128 varint ({@link VarInts}). */
    long var(String what) {
        int at = pos;
        long u = 0;
        for (int i = 0; ; i++) {
            if (pos >= limit) {
                throw errorAt(at - start, "truncated: " + what + " varint runs past the end");
            }
            int b = buf[pos++] & 0xFF;
            if (i == VarInts.MAX_BYTES - 1 && b > 1) {
                throw errorAt(at - start, what + " varint overflows 64 bits");
            }
            u |= (long) (b & 0x7F) << (7 * i);
            if ((b & 0x80) == 0) {
                if (b == 0 && i > 0) {
                    throw errorAt(at - start, what + " varint is over-long (not canonical)");
                }
                return VarInts.unZigZag(u);
            }
        }
    }

    /** A varint that must fit in an int. */
    int varInt(String what) {
        int at = position();
        long v = var(what);
        if (v != (int) v) {
            throw errorAt(at, what + " " + v + " does not fit in 32 bits");
        }
        return (int) v;
    }

    /**
     * A count of elements or bytes that follow, each taking at least {@code minBytesEach} bytes:
     * bounded by the bytes left, so a corrupt count cannot make the decoder allocate more than the
     * input holds.
     */
    int count(String what, int minBytesEach) {
        int at = position();
        long n = var(what + " count");
        if (n < 0 || n > remaining() / minBytesEach) { // divide: n * minBytesEach could overflow
            throw errorAt(at, what + " count " + n + " exceeds the " + remaining() + " bytes left");
        }
        return (int) n;
    }

    byte[] bytes(String what) {
        int n = count(what, 1);
        byte[] out = new byte[n];
        System.arraycopy(buf, pos, out, 0, n);
        pos += n;
        return out;
    }

    /** A length-prefixed string that must be well-formed UTF-8 (RFC 3629). */
    String string(String what) {
        int n = count(what, 1);
        int at = pos;
        boolean ascii = true;
        for (int i = at; i < at + n; i++) {
            if (buf[i] < 0) {
                ascii = false;
                break;
            }
        }
        pos += n;
        if (ascii) {
            return new String(buf, at, n, StandardCharsets.ISO_8859_1);
        }
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(buf, at, n)).toString();
        } catch (CharacterCodingException e) {
            throw errorAt(at - start, what + " is not valid UTF-8");
        }
    }

    /** Fails unless every byte was consumed. */
    void expectEnd(String what) {
        if (pos != limit) {
            throw error((limit - pos) + " trailing byte" + (limit - pos == 1 ? "" : "s") + " after the " + what);
        }
    }
}
