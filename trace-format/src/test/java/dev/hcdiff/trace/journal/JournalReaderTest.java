package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.codec.RecordCodec;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import net.openhft.chronicle.core.time.SetTimeProvider;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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

    @Test
    void aCorruptCookieInsideACq4DocumentIsReportedWithItsRecordIndex() throws IOException {
        byte[] page = new byte[64];
        for (int i = 0; i < page.length; i++) {
            page[i] = (byte) (0xA5 ^ i * 7); // a pattern found once in the file
        }
        TraceRecord target = new TransportPage(3, 30, 0x7000, page);
        Path dir = write("j", List.of(delivery(0), delivery(1), delivery(2), target, delivery(4)));
        corruptFirstTwoBytesOf(dir, RecordCodec.encode(target), (byte) 0x7f, (byte) 0x13);

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
        corruptFirstTwoBytesOf(dir, one, one[0], one[1]); // locate record 1
        // rewrite its seq byte (zigzag 1 = 0x02) to seq 5 (0x0a): same length, different value
        rewriteByteAfter(dir, one, 2, (byte) 0x0a);
        try (JournalReader r = JournalReader.open(dir)) {
            var e = assertThrows(TraceFormatException.class, r::readAll);
            assertEquals(dir + ": record 1: carries seq 5, expected 1", e.getMessage());
        }
    }

    private static void corruptFirstTwoBytesOf(Path dir, byte[] encoded, byte b0, byte b1) throws IOException {
        rewriteByteAfter(dir, encoded, 0, b0);
        byte[] changed = encoded.clone();
        changed[0] = b0;
        rewriteByteAfter(dir, changed, 1, b1);
    }

    /** Finds {@code encoded} in the journal's cycle file and overwrites the byte at {@code offset} in it. */
    private static void rewriteByteAfter(Path dir, byte[] encoded, int offset, byte value) throws IOException {
        Path cq4;
        try (var s = Files.list(dir)) {
            cq4 = s.filter(QueueFiles::isDataFile).findFirst().orElseThrow();
        }
        byte[] file = Files.readAllBytes(cq4);
        int at = indexOf(file, encoded);
        assertTrue(at >= 0, "record bytes not found in " + cq4);
        try (FileChannel ch = FileChannel.open(cq4, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{value}), at + offset);
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
