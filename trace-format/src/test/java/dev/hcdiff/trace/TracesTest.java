package dev.hcdiff.trace;

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
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
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
        assertThrows(IOException.class, () -> Traces.convert(text, text, true));
    }
}
