package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JournalWriterTest {

    @TempDir
    Path tmp;

    private static final JournalHeader HEADER = JournalHeader.create().with(JournalHeader.GUEST, "hello.elf");

    private static TraceRecord delivery(long seq) {
        return new Delivery(seq, seq * 10, 0, 0xf3, "upcall");
    }

    private Path journalWith(int records) throws IOException {
        Path dir = tmp.resolve("j");
        try (JournalWriter w = JournalWriter.create(dir, HEADER, false)) {
            for (int i = 0; i < records; i++) {
                w.append(delivery(i));
            }
        }
        return dir;
    }

    @Test
    void anExistingJournalIsNeverAppendedToWithoutForce() throws IOException {
        Path dir = journalWith(2);
        var e = assertThrows(FileAlreadyExistsException.class, () -> JournalWriter.create(dir, HEADER, false));
        assertTrue(e.getMessage().contains("refusing to append"), e.getMessage());
        try (JournalReader r = JournalReader.open(dir)) {
            assertEquals(2, r.readAll().size(), "the refused create left the journal as it was");
        }
    }

    @Test
    void forceReplacesTheOldJournalInsteadOfAppending() throws IOException {
        Path dir = journalWith(3);
        try (JournalWriter w = JournalWriter.create(dir, HEADER.with("run", "2"), true)) {
            w.append(delivery(0));
        }
        try (JournalReader r = JournalReader.open(dir)) {
            assertEquals("2", r.header().get("run"));
            assertEquals(List.of(delivery(0)), r.readAll());
        }
    }

    @Test
    void forceStillRefusesADirectoryHoldingOtherFiles() throws IOException {
        Path dir = tmp.resolve("home");
        Files.createDirectories(dir);
        Files.writeString(dir.resolve("notes.txt"), "keep me");
        var e = assertThrows(IOException.class, () -> JournalWriter.create(dir, HEADER, true));
        assertTrue(e.getMessage().contains("notes.txt"), e.getMessage());
        assertEquals("keep me", Files.readString(dir.resolve("notes.txt")));
    }

    @Test
    void aFileWhereTheDirectoryShouldBeIsRefused() throws IOException {
        Path file = Files.writeString(tmp.resolve("plain"), "x");
        assertThrows(NotDirectoryException.class, () -> JournalWriter.create(file, HEADER, true));
    }

    @Test
    void seqMustBeThePreviousPlusOneStartingAtZero() throws IOException {
        try (JournalWriter w = JournalWriter.create(tmp.resolve("j"), HEADER, false)) {
            var first = assertThrows(IllegalArgumentException.class, () -> w.append(delivery(1)));
            assertTrue(first.getMessage().contains("seq 1 appended where seq 0 is due"), first.getMessage());
            w.append(delivery(0));
            w.append(delivery(1));
            assertThrows(IllegalArgumentException.class, () -> w.append(delivery(1)));
            assertThrows(IllegalArgumentException.class, () -> w.append(delivery(3)));
            assertEquals(2, w.nextSeq());
        }
    }

    @Test
    void theDirectoryHoldsOnlyTheQueuesOwnFiles() throws IOException {
        Path dir = journalWith(5);
        for (Path p : QueueFiles.entries(dir)) {
            assertTrue(QueueFiles.isQueueFile(p), "unexpected file " + p.getFileName());
        }
        assertTrue(QueueFiles.looksLikeJournal(dir));
    }

    @Test
    void appendAfterCloseIsRefused() throws IOException {
        JournalWriter w = JournalWriter.create(tmp.resolve("j"), HEADER, false);
        w.close();
        w.close(); // idempotent
        assertThrows(IllegalStateException.class,
                () -> w.append(new GuestStop(0, 0, GuestStop.StopReason.HALTED, 0, 0, "")));
    }
}
