package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.codec.RecordCodec;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.CRC32C;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalReaderTest {

    @TempDir
    Path tmp;

    private static final JournalHeader HEADER = JournalHeader.create().with(JournalHeader.GUEST, "hello.elf");

    private static TraceRecord delivery(long seq) {
        return new Delivery(seq, seq * 10, 0, 0xf3, "upcall");
    }

    private static GuestStop stop(long seq) {
        return new GuestStop(seq, seq * 10, GuestStop.StopReason.SHUTDOWN, 0, 0x1234, "SCHEDOP_shutdown(poweroff)");
    }

    private Path write(String name, List<TraceRecord> records) throws IOException {
        Path dir = tmp.resolve(name);
        try (JournalWriter w = JournalWriter.create(dir, HEADER, false)) {
            records.forEach(w::append);
        }
        return dir;
    }

    @Test
    void readsTheHeaderAndTheRecordsInOrder() throws IOException {
        List<TraceRecord> records = List.of(delivery(0), delivery(1), stop(2));
        try (JournalReader r = JournalReader.open(write("j", records))) {
            assertEquals(HEADER, r.header());
            assertEquals(records, r.readAll());
            assertEquals(records, r.readAll(), "every pass starts from the first record");
            assertTrue(r.complete());
        }
    }

    @Test
    void aJournalWithoutAGuestStopIsNotComplete() throws IOException {
        try (JournalReader r = JournalReader.open(write("j", List.of(delivery(0), delivery(1))))) {
            assertFalse(r.complete());
            assertEquals(delivery(1), r.lastRecord().orElseThrow());
        }
        try (JournalReader r = JournalReader.open(write("empty", List.of()))) {
            assertFalse(r.complete(), "a header alone is not a complete recording");
            assertTrue(r.lastRecord().isEmpty());
            assertEquals(List.of(), r.readAll());
        }
    }

    @Test
    void aDirectoryWithoutCq4FilesIsNotAJournalAndStaysUntouched() throws IOException {
        Path dir = Files.createDirectories(tmp.resolve("plain"));
        Files.writeString(dir.resolve("readme.txt"), "x");
        var e = assertThrows(TraceFormatException.class, () -> JournalReader.open(dir));
        assertEquals("not a journal: " + dir + " has no .cq4 files", e.getMessage());
        try (var s = Files.list(dir)) {
            assertEquals(List.of(dir.resolve("readme.txt")), s.toList(), "open created nothing");
        }
    }

    @Test
    void openingAndReadingChangesNoFile() throws IOException {
        Path dir = write("j", List.of(delivery(0), stop(1)));
        Map<Path, FileTime> before = snapshot(dir);
        try (JournalReader r = JournalReader.open(dir)) {
            r.readAll();
            r.complete();
        }
        assertEquals(before, snapshot(dir));
    }

    private static Map<Path, FileTime> snapshot(Path dir) throws IOException {
        Map<Path, FileTime> m = new LinkedHashMap<>();
        for (Path p : QueueFiles.entries(dir)) {
            m.put(p.getFileName(), Files.getLastModifiedTime(p));
        }
        return m;
    }

    @Test
    void recordsSpanningSeveralCycleFilesAreReadInOrder() throws IOException {
        Path dir = tmp.resolve("weeks");
        SetTimeProvider clock = new SetTimeProvider(Instant.parse("2026-03-02T10:00:00Z"));
        List<TraceRecord> records = new ArrayList<>();
        try (JournalWriter w = JournalWriter.create(dir, HEADER, false, clock)) {
            for (int i = 0; i < 6; i++) {
                if (i == 3 || i == 5) {
                    clock.advanceMillis(2L * 24 * 3600 * 1000); // two days on: a later daily cycle
                }
                records.add(i == 5 ? stop(i) : delivery(i));
                w.append(records.get(i));
            }
        }
        try (var s = Files.list(dir)) {
            assertEquals(3, s.filter(QueueFiles::isDataFile).count(), "three daily cycle files");
        }
        try (JournalReader r = JournalReader.open(dir)) {
            assertEquals(records, r.readAll());
            assertTrue(r.complete());
        }
    }

    /** A transport page whose 64 bytes make a pattern found once in the cycle file. */
    private static TransportPage patternedPage(long seq) {
        byte[] page = new byte[64];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (0xA5 ^ i * 7);
        }
        return new TransportPage(seq, seq * 10, 0x7000, page);
    }

    @Test
    void aByteFlippedInsideARecordIsAChecksumMismatchNamingThatRecord() throws IOException {
        TransportPage target = patternedPage(3);
        Path dir = write("j", List.of(delivery(0), delivery(1), delivery(2), target, delivery(4)));
        byte[] original = RecordCodec.encode(target);
        byte[] flipped = original.clone();
        flipped[20] ^= 0x01; // inside the page bytes: still a valid encoding, of other memory
        rewriteDocument(dir, original, flipped, false);

        try (JournalReader r = JournalReader.open(dir)) {
            Iterator<TraceRecord> it = r.iterator();
            for (int i = 0; i < 3; i++) {
                assertEquals(delivery(i), it.next());
            }
            var e = assertThrows(TraceFormatException.class, it::hasNext);
            assertEquals(String.format("%s: record 3: checksum mismatch (stored 0x%08x, computed 0x%08x)",
                    dir, crc32c(original), crc32c(flipped)), e.getMessage());
            assertEquals(3, e.position());
            assertSame(e, assertThrows(TraceFormatException.class, it::hasNext), "the iterator does not skip the bad record");
        }
    }

    @Test
    void aByteFlippedInTheLastRecordFailsLastRecordAndComplete() throws IOException {
        TransportPage target = patternedPage(1);
        Path dir = write("j", List.of(delivery(0), target));
        byte[] original = RecordCodec.encode(target);
        byte[] flipped = original.clone();
        flipped[40] ^= (byte) 0x80;
        rewriteDocument(dir, original, flipped, false);
        try (JournalReader r = JournalReader.open(dir)) {
            var e = assertThrows(TraceFormatException.class, r::complete);
            assertEquals(String.format("%s: last record: checksum mismatch (stored 0x%08x, computed 0x%08x)",
                    dir, crc32c(original), crc32c(flipped)), e.getMessage());
        }
    }

    @Test
    void aByteFlippedInTheHeaderDocumentIsReportedAtOpen() throws IOException {
        Path dir = write("j", List.of(delivery(0)));
        byte[] original = headerDocument(HEADER);
        byte[] flipped = original.clone();
        flipped[flipped.length - 2] ^= 0x20; // "hello.elf" becomes "hello.eLf": a valid header, of another guest
        rewriteDocument(dir, original, flipped, false);
        var e = assertThrows(TraceFormatException.class, () -> JournalReader.open(dir));
        assertEquals(String.format("%s: header: checksum mismatch (stored 0x%08x, computed 0x%08x)",
                dir, crc32c(original), crc32c(flipped)), e.getMessage());
        assertEquals(TraceFormatException.NO_POSITION, e.position());
    }

    @Test
    void aJournalWrittenBeforeRecordsCarriedChecksumsIsRefusedByName() throws IOException {
        // framing 1: the header document is the encoded header alone, records carry no CRC
        Path dir = tmp.resolve("old");
        try (ChronicleQueue q = ChronicleQueue.singleBuilder(dir).rollCycle(QueueFiles.ROLL_CYCLE).build();
             ExcerptAppender a = q.createAppender()) {
            for (byte[] doc : List.of(RecordCodec.encodeHeader(HEADER), RecordCodec.encode(delivery(0)))) {
                try (DocumentContext dc = a.writingDocument()) {
                    dc.wire().bytes().write(doc);
                }
            }
        }
        var e = assertThrows(TraceFormatException.class, () -> JournalReader.open(dir));
        assertEquals(dir + ": journal framing 1 (written before records carried checksums);"
                + " this hcdiff reads journal framing 2: record it again", e.getMessage());
    }

    @Test
    void aJournalOfALaterFramingIsRefusedByItsVersion() throws IOException {
        Path dir = write("j", List.of(delivery(0)));
        byte[] original = headerDocument(HEADER);
        byte[] later = original.clone();
        later[3] = 3;
        rewriteDocument(dir, original, later, true);
        var e = assertThrows(TraceFormatException.class, () -> JournalReader.open(dir));
        assertEquals(dir + ": journal framing 3; this hcdiff reads journal framing 2", e.getMessage());
    }

    @Test
    void aJournalOfAnotherTraceFormatIsRefusedAndOneWithoutFormatReads() throws IOException {
        Path dir = tmp.resolve("nine");
        try (JournalWriter w = JournalWriter.create(dir, HEADER.with(JournalHeader.FORMAT, "9"), false)) {
            w.append(delivery(0));
        }
        var e = assertThrows(TraceFormatException.class, () -> JournalReader.open(dir));
        assertEquals(dir + ": unsupported trace format 9 (this hcdiff reads format 1)", e.getMessage());

        Path none = tmp.resolve("none");
        JournalHeader noFormat = new JournalHeader(new TreeMap<>(Map.of(JournalHeader.GUEST, "hello.elf")));
        try (JournalWriter w = JournalWriter.create(none, noFormat, false)) {
            w.append(delivery(0));
        }
        try (JournalReader r = JournalReader.open(none)) {
            assertEquals(noFormat, r.header());
            assertEquals(List.of(delivery(0)), r.readAll());
        }
    }

    @Test
    void aCorruptCookieInsideACq4DocumentIsReportedWithItsRecordIndex() throws IOException {
        TraceRecord target = patternedPage(3);
        Path dir = write("j", List.of(delivery(0), delivery(1), delivery(2), target, delivery(4)));
        byte[] original = RecordCodec.encode(target);
        byte[] changed = original.clone();
        changed[0] = 0x7f;
        changed[1] = 0x13;
        rewriteDocument(dir, original, changed, true); // a valid checksum: the codec must catch it

        try (JournalReader r = JournalReader.open(dir)) {
            Iterator<TraceRecord> it = r.iterator();
            for (int i = 0; i < 3; i++) {
                assertEquals(delivery(i), it.next());
            }
            var e = assertThrows(TraceFormatException.class, it::hasNext);
            assertEquals(dir + ": record 3: byte 0: unknown record cookie 0x7f13", e.getMessage());
            assertEquals(3, e.position());
        }
    }

    @Test
    void aRecordOutOfSequenceIsReported() throws IOException {
        Path dir = write("j", List.of(delivery(0), delivery(1)));
        byte[] one = RecordCodec.encode(delivery(1));
        byte[] five = one.clone();
        five[2] = 0x0a; // its seq byte, zigzag 1 = 0x02, becomes seq 5 (0x0a): same length
        rewriteDocument(dir, one, five, true);
        try (JournalReader r = JournalReader.open(dir)) {
            var e = assertThrows(TraceFormatException.class, r::readAll);
            assertEquals(dir + ": record 1: carries seq 5, expected 1", e.getMessage());
        }
    }

    /** The header document's bytes before its CRC: the marker "hcj" 2 (JournalFraming), then the encoded header. */
    private static byte[] headerDocument(JournalHeader header) {
        byte[] encoded = RecordCodec.encodeHeader(header);
        byte[] doc = new byte[4 + encoded.length];
        doc[0] = 'h';
        doc[1] = 'c';
        doc[2] = 'j';
        doc[3] = 2;
        System.arraycopy(encoded, 0, doc, 4, encoded.length);
        return doc;
    }

    /** CRC-32C (RFC 3720 §B.4) as the JDK computes it. */
    private static int crc32c(byte[] bytes) {
        CRC32C c = new CRC32C();
        c.update(bytes);
        return (int) c.getValue();
    }

    /**
     * Finds {@code original} followed by its CRC-32C in the journal's cycle file and overwrites it
     * with {@code replacement} (same length); with {@code fixCrc}, also the CRC, so the document
     * passes the check and only the codec can object.
     */
    private static void rewriteDocument(Path dir, byte[] original, byte[] replacement, boolean fixCrc) throws IOException {
        assertEquals(original.length, replacement.length);
        Path cq4;
        try (var s = Files.list(dir)) {
            cq4 = s.filter(QueueFiles::isDataFile).findFirst().orElseThrow();
        }
        byte[] needle = ByteBuffer.allocate(original.length + 4).put(original).putInt(crc32c(original)).array();
        int at = indexOf(Files.readAllBytes(cq4), needle);
        assertTrue(at >= 0, "document bytes and checksum not found in " + cq4);
        ByteBuffer out = ByteBuffer.allocate(needle.length).put(replacement)
                .putInt(fixCrc ? crc32c(replacement) : crc32c(original)).flip(); // big-endian, as stored
        try (FileChannel ch = FileChannel.open(cq4, StandardOpenOption.WRITE)) {
            ch.write(out, at);
        }
    }

    private static int indexOf(byte[] hay, byte[] needle) {
        outer:
        for (int i = 0; i <= hay.length - needle.length; i++) {
            for (int j = 0; j < needle.length; j++) {
                if (hay[i + j] != needle[j]) {
                    continue outer;
                }
            }
            return i;
        }
        return -1;
    }
}
