package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Expected bytes are worked out by hand from the layout in {@link RecordCodec}'s javadoc. */
class RecordCodecTest {

    private static byte[] bytes(int... values) {
        byte[] b = new byte[values.length];
        for (int i = 0; i < values.length; i++) {
            b[i] = (byte) values[i];
        }
        return b;
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    private static final byte[] UPCALL = "upcall".getBytes(StandardCharsets.US_ASCII);

    /** Delivery(seq 1, t 150, vcpu 0, vector 0xf3, "upcall"). */
    private static final byte[] DELIVERY = concat(
            bytes(0x44, 0x01),   // cookie 'D' v1
            bytes(0x02),         // seq 1 -> zigzag 2
            bytes(0xac, 0x02),   // t 150 -> zigzag 300 -> ac 02
            bytes(0x00),         // vcpu 0
            bytes(0xe6, 0x03),   // vector 243 -> zigzag 486 = 0x1e6 -> e6 03
            bytes(0x0c), UPCALL); // length 6 -> zigzag 12

    @Test
    void aDeliveryEncodesToTheBytesTheLayoutPrescribes() {
        assertArrayEquals(DELIVERY, RecordCodec.encode(new Delivery(1, 150, 0, 0xf3, "upcall")));
        assertEquals(new Delivery(1, 150, 0, 0xf3, "upcall"), RecordCodec.decode(DELIVERY));
    }

    @Test
    void aHeaderEncodesAsSortedKeyValueStrings() {
        byte[] expected = concat(bytes(0x48, 0x01, 0x02, 0x0c), "format".getBytes(StandardCharsets.US_ASCII),
                bytes(0x02), "1".getBytes(StandardCharsets.US_ASCII));
        assertArrayEquals(expected, RecordCodec.encodeHeader(JournalHeader.create()));
        assertEquals(JournalHeader.create(), RecordCodec.decodeHeader(expected));
    }

    @Test
    void everyRecordTypeStartsWithItsOwnCookie() {
        Exchange x = new Exchange(0, 0, 0, new Hypercall(0, Abi.XEN64, 32, new long[6]), List.of(),
                Observation.builder().build());
        assertArrayEquals(bytes(0x58, 0x01), head(RecordCodec.encode(x)));
        assertArrayEquals(bytes(0x50, 0x01), head(RecordCodec.encode(new TransportPage(0, 0, 0x7000, new byte[4]))));
        assertArrayEquals(bytes(0x44, 0x01), head(RecordCodec.encode(new Delivery(0, 0, 0, 0, ""))));
        assertArrayEquals(bytes(0x53, 0x01), head(RecordCodec.encode(
                new GuestStop(0, 0, GuestStop.StopReason.SHUTDOWN, 0, 0, ""))));
    }

    private static byte[] head(byte[] b) {
        return new byte[]{b[0], b[1]};
    }

    @Test
    void anUnknownCookieIsRejectedByName() {
        byte[] bad = DELIVERY.clone();
        bad[0] = 0x7f;
        bad[1] = 0x13;
        var e = assertThrows(TraceFormatException.class, () -> RecordCodec.decode(bad));
        assertEquals("byte 0: unknown record cookie 0x7f13", e.getMessage());
        assertEquals(0, e.position());
    }

    @Test
    void aHeaderWhereARecordIsDueIsNamed() {
        var e = assertThrows(TraceFormatException.class,
                () -> RecordCodec.decode(RecordCodec.encodeHeader(JournalHeader.create())));
        assertTrue(e.getMessage().contains("found the header cookie 0x4801 (header v1)"), e.getMessage());
    }

    @Test
    void aRecordWhereTheHeaderIsDueIsNamed() {
        var e = assertThrows(TraceFormatException.class, () -> RecordCodec.decodeHeader(DELIVERY));
        assertTrue(e.getMessage().contains("found 0x4401 (delivery v1)"), e.getMessage());
    }

    @Test
    void aHugeLengthIsBoundedByTheBytesLeftInsteadOfAllocated() {
        // transport page: seq 0, t 0, gpa 0, then a length of 2^40 (zigzag 2^41) with nothing after it
        byte[] huge = new byte[16];
        huge[0] = 0x50;
        huge[1] = 0x01;
        int n = VarInts.putUnsigned(huge, 5, VarInts.zigZag(1L << 40));
        byte[] bad = java.util.Arrays.copyOf(huge, n);
        var e = assertThrows(TraceFormatException.class, () -> RecordCodec.decode(bad));
        assertEquals("byte 5: page count 1099511627776 exceeds the 0 bytes left", e.getMessage());
    }

    @Test
    void trailingBytesAfterARecordAreReported() {
        byte[] longer = concat(DELIVERY, bytes(0x00));
        var e = assertThrows(TraceFormatException.class, () -> RecordCodec.decode(longer));
        assertEquals("byte 15: 1 trailing byte after the delivery", e.getMessage());
    }

    @Test
    void malformedUtf8InAStringIsReported() {
        byte[] bad = DELIVERY.clone();
        bad[10] = (byte) 0xc3; // 0xc3 0x63: a lead byte followed by a non-continuation byte
        var e = assertThrows(TraceFormatException.class, () -> RecordCodec.decode(bad));
        assertEquals("byte 9: source is not valid UTF-8", e.getMessage());
    }

    @Test
    void unknownEnumCodesAreReportedWithTheirValue() {
        byte[] stop = RecordCodec.encode(new GuestStop(0, 0, GuestStop.StopReason.HALTED, 0, 0, ""));
        stop[4] = 0x42; // cookie(2) seq(1) t(1) -> reason at byte 4
        var e = assertThrows(TraceFormatException.class, () -> RecordCodec.decode(stop));
        assertEquals("byte 4: unknown stop reason code 66", e.getMessage());
    }

    @Test
    void anUnpairedSurrogateCannotBeEncodedLosslesslyAndIsRefused() {
        var e = assertThrows(IllegalArgumentException.class,
                () -> RecordCodec.encode(new Delivery(0, 0, 0, 0, "a\uD800b")));
        assertTrue(e.getMessage().contains("unpaired surrogate at index 1"), e.getMessage());
    }

    @Test
    void aNullFieldIsNamed() {
        var e = assertThrows(NullPointerException.class, () -> RecordCodec.encode(new Delivery(0, 0, 0, 0, null)));
        assertEquals("Delivery.source", e.getMessage());
    }

    @Test
    void encodeIntoRefusesADestinationThatIsTooSmall() {
        Delivery d = new Delivery(1, 150, 0, 0xf3, "upcall");
        assertEquals(DELIVERY.length, RecordCodec.neededCapacity(d));
        assertThrows(IllegalArgumentException.class, () -> RecordCodec.encodeInto(d, new byte[DELIVERY.length - 1], 0));
        byte[] exact = new byte[DELIVERY.length + 3];
        assertEquals(DELIVERY.length, RecordCodec.encodeInto(d, exact, 3));
        assertEquals(d, RecordCodec.decode(exact, 3, DELIVERY.length));
    }
}
