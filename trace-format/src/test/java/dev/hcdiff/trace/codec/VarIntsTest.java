package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.TraceFormatException;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected bytes come from protobuf.dev/programming-guides/encoding ("Base 128 Varints", "Signed Integers"). */
class VarIntsTest {

    private static byte[] unsigned(long u) {
        byte[] buf = new byte[VarInts.MAX_BYTES];
        int n = VarInts.putUnsigned(buf, 0, u);
        return Arrays.copyOf(buf, n);
    }

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static long decode(byte[] bytes) {
        BytesIn in = new BytesIn(bytes, 0, bytes.length);
        long v = in.var("value");
        in.expectEnd("value");
        return v;
    }

    @Test
    void unsignedVarintsMatchTheProtobufExamples() {
        // "150 is encoded as 9601", "300 as ac02"; one byte up to 127
        assertArrayEquals(bytes(0x96, 0x01), unsigned(150));
        assertArrayEquals(bytes(0xac, 0x02), unsigned(300));
        assertArrayEquals(bytes(0x01), unsigned(1));
        assertArrayEquals(bytes(0x7f), unsigned(127));
        assertArrayEquals(bytes(0x80, 0x01), unsigned(128));
    }

    @Test
    void zigZagMatchesTheProtobufSignedIntegerTable() {
        assertEquals(0, VarInts.zigZag(0));
        assertEquals(1, VarInts.zigZag(-1));
        assertEquals(2, VarInts.zigZag(1));
        assertEquals(3, VarInts.zigZag(-2));
        assertEquals(4294967294L, VarInts.zigZag(2147483647));
        assertEquals(4294967295L, VarInts.zigZag(-2147483648));
    }

    @Test
    void extremeValuesTakeTenBytesAsStandardLeb128Does() {
        // zigzag(MIN) = 2^64-1: nine 0xff groups and a final 0x01 (not HdrHistogram's 9-byte variant)
        assertArrayEquals(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
                unsigned(VarInts.zigZag(Long.MIN_VALUE)));
        assertArrayEquals(bytes(0xfe, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01),
                unsigned(VarInts.zigZag(Long.MAX_VALUE)));
        assertEquals(Long.MIN_VALUE, decode(unsigned(VarInts.zigZag(Long.MIN_VALUE))));
    }

    @Property(seed = "20261125")
    void everyLongRoundTripsInItsStatedSize(@ForAll long v) {
        byte[] enc = unsigned(VarInts.zigZag(v));
        assertEquals(VarInts.signedSize(v), enc.length);
        assertEquals(v, decode(enc));
    }

    @Test
    void aTenthByteAboveOneOverflowsAndIsRejected() {
        var e = assertThrows(TraceFormatException.class,
                () -> decode(bytes(0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02)));
        assertTrue(e.getMessage().contains("overflows 64 bits"), e.getMessage());
    }

    @Test
    void anOverLongEncodingIsRejectedSoEncodingsStayCanonical() {
        var e = assertThrows(TraceFormatException.class, () -> decode(bytes(0x80, 0x00)));
        assertTrue(e.getMessage().contains("over-long"), e.getMessage());
    }

    @Test
    void aVarintCutShortIsTruncatedNotAnIndexError() {
        var e = assertThrows(TraceFormatException.class, () -> decode(bytes(0x96)));
        assertEquals("byte 0: truncated: value varint runs past the end", e.getMessage());
        assertEquals(0, e.position());
    }
}
