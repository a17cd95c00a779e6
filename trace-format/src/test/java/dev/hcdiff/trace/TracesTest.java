package dev.hcdiff.trace;

import dev.hcdiff.trace.codec.RecordCodec;
import dev.hcdiff.trace.journal.JournalReader;
import dev.hcdiff.trace.journal.JournalWriter;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;
import dev.hcdiff.trace.text.HctReader;
import dev.hcdiff.trace.text.HctWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TracesTest {

    @TempDir
    Path tmp;

    private static final JournalHeader HEADER = JournalHeader.create().with(JournalHeader.EXPECT, "agree");
    private static final List<TraceRecord> RECORDS = List.of(new Delivery(0, 10, 0, 0xf3, "upcall"),
            new GuestStop(1, 20, GuestStop.StopReason.SHUTDOWN, 0, 0x1000, "done"));

    private Path journal() throws IOException {
        Path dir = tmp.resolve("journal");
        try (TraceSink w = Traces.create(dir, HEADER, false)) {
            assertInstanceOf(JournalWriter.class, w);
            RECORDS.forEach(w::append);
        }
        return dir;
    }

    private Path text() throws IOException {
        Path file = tmp.resolve("case.hct");
        try (TraceSink w = Traces.create(file, HEADER, false)) {
            assertInstanceOf(HctWriter.class, w);
            RECORDS.forEach(w::append);
        }
        return file;
    }

    @Test
    void aDirectoryOpensAsAJournalAndAFileAsText() throws IOException {
        try (Trace t = Traces.open(journal())) {
            assertInstanceOf(JournalReader.class, t);
            assertEquals(HEADER, t.header());
            assertEquals(RECORDS, t.readAll());
            assertTrue(t.complete());
        }
        try (Trace t = Traces.open(text())) {
            assertInstanceOf(HctReader.class, t);
            assertEquals(HEADER, t.header());
            assertEquals(RECORDS, t.readAll());
            assertTrue(t.complete());
        }
    }

    @Test
    void whatIsNotATraceGetsOneLine() throws IOException {
        Path missing = tmp.resolve("nothing");
        assertEquals("no such trace: " + missing, assertThrows(TraceFormatException.class, () -> Traces.open(missing)).getMessage());

        Path empty = Files.createDirectories(tmp.resolve("empty"));
        assertEquals("not a journal: " + empty + " has no .cq4 files",
                assertThrows(TraceFormatException.class, () -> Traces.open(empty)).getMessage());

        Path notes = Files.writeString(tmp.resolve("notes.txt"), "dear diary\n");
        assertEquals(notes + ":1: not an hct file: the first line must be 'hct 1', found 'dear diary'",
                assertThrows(TraceFormatException.class, () -> Traces.open(notes)).getMessage());

        Path dir = journal();
        Path cq4;
        try (var s = Files.list(dir)) {
            cq4 = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        var e = assertThrows(TraceFormatException.class, () -> Traces.open(cq4));
        assertEquals("not a trace: " + cq4 + " is one file of a journal; open its directory " + cq4.toAbsolutePath().getParent(),
                e.getMessage());
    }

    @Test
    void convertGoesBothWaysAndRefusesToOverwriteWithoutForce() throws IOException {
        Path journal = journal();
        Path text = tmp.resolve("out.hct");
        assertEquals(2, Traces.convert(journal, text, false));
        assertThrows(FileAlreadyExistsException.class, () -> Traces.convert(journal, text, false));
        assertEquals(2, Traces.convert(journal, text, true));

        Path back = tmp.resolve("back");
        assertEquals(2, Traces.convert(text, back, false));
        assertThrows(FileAlreadyExistsException.class, () -> Traces.convert(text, back, false));
        try (Trace t = Traces.open(back)) {
            assertEquals(HEADER, t.header());
            assertEquals(RECORDS, t.readAll());
        }
    }

    @Test
    void convertRefusesATargetThatIsItsSourceBeforeTouchingIt() throws IOException {
        Path text = text();
        String before = Files.readString(text);
        var e = assertThrows(IllegalArgumentException.class, () -> Traces.convert(text, text, true));
        assertEquals("convert: the target " + text + " is the source " + text + "; choose another target", e.getMessage());
        Path roundabout = tmp.resolve("sub").resolve("..").resolve("case.hct");
        assertThrows(IllegalArgumentException.class, () -> Traces.convert(text, roundabout, true));
        Path link = Files.createSymbolicLink(tmp.resolve("link.hct"), text);
        assertThrows(IllegalArgumentException.class, () -> Traces.convert(text, link, true),
                "the same file through a symbolic link");
        assertEquals(before, Files.readString(text));

        Path journal = journal();
        assertThrows(IllegalArgumentException.class, () -> Traces.convert(journal, journal, true));
        try (Trace t = Traces.open(journal)) {
            assertEquals(RECORDS, t.readAll());
        }
    }

    /**
     * A .hct whose third record breaks the grammar (line 4): the header and the first records
     * read, so the target has been started when the error comes.
     */
    private Path badText() throws IOException {
        return Files.writeString(tmp.resolve("bad.hct"), "hct 1\n@0 t=10 delivery vcpu=0 vector=0xf3 upcall\n"
                + "@1 t=20 delivery vcpu=0 vector=0xf3 upcall\n@2 t=30 nonsense\n");
    }

    /** A journal of {@link #RECORDS} whose last record has one byte flipped on disk. */
    private Path corruptJournal() throws IOException {
        Path dir = journal();
        byte[] stop = RecordCodec.encode(RECORDS.get(1));
        Path cq4;
        try (var s = Files.list(dir)) {
            cq4 = s.filter(p -> p.toString().endsWith(".cq4")).findFirst().orElseThrow();
        }
        byte[] file = Files.readAllBytes(cq4);
        int at = -1;
        for (int i = 0; at < 0 && i <= file.length - stop.length; i++) {
            if (Arrays.equals(file, i, i + stop.length, stop, 0, stop.length)) {
                at = i;
            }
        }
        assertTrue(at >= 0, "the stop record is in the cycle file");
        try (FileChannel ch = FileChannel.open(cq4, StandardOpenOption.WRITE)) {
            ch.write(ByteBuffer.wrap(new byte[]{(byte) (stop[stop.length - 1] ^ 1)}), at + stop.length - 1);
        }
        return dir;
    }

    private static List<String> names(Path dir) throws IOException {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aConvertThatFailsLeavesNoTargetAndNoTemporaryBehind() throws IOException {
        Path bad = badText();
        Path broken = corruptJournal();
        Path dest = Files.createDirectories(tmp.resolve("dest"));

        var e = assertThrows(TraceFormatException.class, () -> Traces.convert(bad, dest.resolve("j"), false));
        assertTrue(e.getMessage().startsWith(bad + ":4: "), e.getMessage());
        assertEquals(List.of(), names(dest), "no journal directory, not even a hidden one");

        e = assertThrows(TraceFormatException.class, () -> Traces.convert(broken, dest.resolve("out.hct"), false));
        assertTrue(e.getMessage().startsWith(broken + ": record 1: checksum mismatch"), e.getMessage());
        assertEquals(List.of(), names(dest), "no .hct file, not even a hidden one");
    }

    @Test
    void aForcedConvertThatFailsLeavesTheExistingTargetAsItWas() throws IOException {
        Path bad = badText();
        Path text = text();
        String before = Files.readString(text);
        Path broken = Files.move(corruptJournal(), tmp.resolve("broken"));
        Path journal = journal(); // a good one, to be replaced
        List<String> entries = names(tmp);

        assertThrows(TraceFormatException.class, () -> Traces.convert(broken, text, true));
        assertEquals(before, Files.readString(text));
        assertThrows(TraceFormatException.class, () -> Traces.convert(bad, journal, true));
        try (Trace t = Traces.open(journal)) {
            assertEquals(RECORDS, t.readAll());
        }
        assertEquals(entries, names(tmp), "nothing added beside them");
    }

    @Test
    void aForcedConvertReplacesAJournalWholeAndLeavesNothingAside() throws IOException {
        Path journal = journal();
        List<TraceRecord> shorter = List.of(new Delivery(0, 5, 1, 0x20, "timer"));
        Path other = tmp.resolve("other.hct");
        try (TraceSink w = Traces.create(other, HEADER.with(JournalHeader.GUEST, "other.elf"), false)) {
            shorter.forEach(w::append);
        }
        List<String> entries = names(tmp);

        var e = assertThrows(FileAlreadyExistsException.class, () -> Traces.convert(other, journal, false));
        assertEquals(journal.toString(), e.getFile());
        assertEquals(1, Traces.convert(other, journal, true));
        try (Trace t = Traces.open(journal)) {
            assertEquals("other.elf", t.header().get(JournalHeader.GUEST));
            assertEquals(shorter, t.readAll());
        }
        assertEquals(entries, names(tmp), "the old journal set aside is gone, no temporary is left");
    }
}
