package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.TraceArbitraries;
import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.From;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class RecordCodecProperties {

    @Provide
    Arbitrary<TraceRecord> records() {
        return TraceArbitraries.records();
    }

    @Provide
    Arbitrary<JournalHeader> headers() {
        return TraceArbitraries.headers();
    }

    @Property(seed = "20261125")
    void decodingAnEncodedRecordGivesItBack(@ForAll("records") TraceRecord r) {
        assertEquals(r, RecordCodec.decode(RecordCodec.encode(r)));
    }

    @Property(seed = "20261125")
    void neededCapacityIsExactAndEncodeIntoWritesTheSameBytes(@ForAll("records") TraceRecord r,
                                                             @ForAll @IntRange(max = 7) int offset) {
        byte[] enc = RecordCodec.encode(r);
        assertEquals(enc.length, RecordCodec.neededCapacity(r));
        byte[] dst = new byte[offset + enc.length];
        assertEquals(enc.length, RecordCodec.encodeInto(r, dst, offset));
        assertArrayEquals(enc, java.util.Arrays.copyOfRange(dst, offset, dst.length));
    }

    /**
     * One reused buffer, as the journal writer holds, gives every record exactly its own encoding:
     * a long record before a short one leaves no stale bytes in the short one's window.
     */
    @Property(tries = 300, seed = "20261125")
    void aReusedEncodeBufferGivesEachRecordItsOwnBytes(@ForAll @Size(max = 8) List<@From("records") TraceRecord> rs) {
        EncodeBuffer buffer = new EncodeBuffer(1);
        for (TraceRecord r : rs) {
            int n = RecordCodec.encode(r, buffer);
            assertEquals(n, buffer.length());
            assertArrayEquals(RecordCodec.encode(r), Arrays.copyOf(buffer.array(), n));
        }
    }

    @Property(seed = "20261125")
    void headersRoundTrip(@ForAll("headers") JournalHeader h) {
        assertEquals(h, RecordCodec.decodeHeader(RecordCodec.encodeHeader(h)));
    }

    @Property(tries = 200, seed = "20261125")
    void everyTruncatedEncodingIsATraceFormatError(@ForAll("records") TraceRecord r) {
        byte[] enc = RecordCodec.encode(r);
        for (int len = 0; len < enc.length; len++) {
            int n = len;
            assertThrows(TraceFormatException.class, () -> RecordCodec.decode(enc, 0, n), "prefix of " + n);
        }
    }

    /**
     * A corrupted byte either is caught as a format error or decodes to a record that encodes back
     * to exactly the corrupted bytes (the encoding is canonical); nothing else escapes.
     */
    @Property(tries = 2000, seed = "20261125")
    void aCorruptByteNeverEscapesAsAnotherException(@ForAll("records") TraceRecord r,
                                                    @ForAll @IntRange(min = 0, max = 100_000) int where,
                                                    @ForAll byte value) {
        byte[] enc = RecordCodec.encode(r);
        enc[where % enc.length] = value;
        TraceRecord decoded;
        try {
            decoded = RecordCodec.decode(enc);
        } catch (TraceFormatException expected) {
            return;
        }
        assertArrayEquals(enc, RecordCodec.encode(decoded));
    }
}
