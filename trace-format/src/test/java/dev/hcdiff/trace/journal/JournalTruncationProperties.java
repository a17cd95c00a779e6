package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.TraceRecord;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.RandomDistribution;
import net.jqwik.api.Tuple;
import net.jqwik.api.statistics.Statistics;
import net.jqwik.api.lifecycle.AfterContainer;
import net.jqwik.api.lifecycle.BeforeContainer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A journal whose cycle file is cut at any byte ({@code truncate -s N}) gives, within seconds, a
 * {@link TraceFormatException} or a clean prefix of its records, never another exception: cut
 * files make Chronicle touch memory past their end (SIGBUS, raised in Java as
 * {@link InternalError}) or fail in its own ways, and the reader must turn all of it into one line.
 */
class JournalTruncationProperties {

    /** Records in the journal that is cut: enough that its data spans many pages. */
    private static final int RECORDS = 1500;

    private static Path root;
    private static Path source;
    private static Path cycleFile;
    private static Path metadataFile;
    private static List<TraceRecord> written;
    /** One past the last non-zero byte of the cycle file: where its data ends. */
    private static long dataEnd;

    @BeforeContainer
    static void writeTheJournal() throws IOException {
        root = Files.createTempDirectory("hcdiff-cut");
        source = root.resolve("source");
        written = new ArrayList<>();
        try (JournalWriter w = JournalWriter.create(source, CrashingWriter.header(), false)) {
            for (int i = 0; i < RECORDS; i++) {
                written.add(CrashingWriter.record(i));
                w.append(written.get(i));
            }
            written.add(new GuestStop(RECORDS, RECORDS * 1000L, GuestStop.StopReason.SHUTDOWN, 0, 0x1000, "done"));
            w.append(written.get(RECORDS));
        }
        for (Path p : QueueFiles.entries(source)) {
            if (QueueFiles.isDataFile(p)) {
                cycleFile = p;
            } else {
                metadataFile = p;
            }
        }
        dataEnd = lastNonZeroByte(cycleFile) + 1;
    }

    @AfterContainer
    static void deleteTheJournals() throws IOException {
        JournalTextRoundTripProperties.deleteTree(root);
    }

    @Provide
    Arbitrary<Long> cuts() {
        // uniform over the data and a page past it (jqwik would favour small numbers, which all
        // fall in the file header and index), plus every cut near the first document
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, dataEnd + 4096).withDistribution(RandomDistribution.uniform())),
                Tuple.of(1, Arbitraries.longs().between(0, 70_000)));
    }

    @Property(tries = 60, seed = "20261125")
    void aCycleFileCutAnywhereGivesAPrefixOrATraceFormatException(@ForAll("cuts") long cut) throws IOException {
        Statistics.collect(checkCut(cut));
        // the cuts must fail the open and fail after records were read, or the property proves little
        Statistics.coverage(c -> {
            c.check(Outcome.FAILS_AT_OPEN).count(n -> n > 0);
            c.check(Outcome.FAILS_AFTER_RECORDS).count(n -> n > 0);
        });
    }

    /** What a cut journal gave: an error at open or later, a prefix without the stop, or everything. */
    private enum Outcome { FAILS_AT_OPEN, FAILS_AFTER_RECORDS, PREFIX, WHOLE }

    @Example
    void aCycleFileCutTo70000BytesIsReportedNotFaulted() throws IOException {
        checkCut(70_000);
    }

    @Example
    void aCycleFileCutToAFewBytesFailsFastInsteadOfWaitingForItsHeader() throws IOException {
        for (long cut : new long[]{0, 1, 3, 4, 64, 400}) {
            checkCut(cut);
        }
    }

    @Example
    void aCycleFileCutAfterItsDataReadsWhole() throws IOException {
        Path dir = cutCopy(dataEnd);
        assertEquals(written, assertTimeoutPreemptively(Duration.ofSeconds(20), () -> {
            try (JournalReader r = JournalReader.open(dir)) {
                assertTrue(r.complete());
                return r.readAll();
            }
        }));
    }

    private static Outcome checkCut(long cut) throws IOException {
        Path dir = cutCopy(cut);
        // Chronicle waits up to 10 s for a missing file header by default; the reader must not
        Outcome outcome = assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
            List<TraceRecord> read = new ArrayList<>();
            boolean[] opened = {false};
            try (JournalReader r = JournalReader.open(dir)) {
                opened[0] = true;
                assertEquals(CrashingWriter.header(), r.header());
                try {
                    r.forEach(read::add);
                } finally {
                    assertEquals(written.subList(0, read.size()), read, "records before any error are a prefix");
                }
                boolean complete = r.complete();
                assertEquals(read.size() == written.size(), complete, "complete only with the stop record");
                if (!read.isEmpty()) {
                    assertEquals(Optional.of(read.getLast()), r.lastRecord(), "lastRecord is the last record read");
                }
                return complete ? Outcome.WHOLE : Outcome.PREFIX;
            } catch (TraceFormatException e) {
                String m = e.getMessage();
                assertTrue(m.startsWith(dir + ": ") || m.startsWith("not a journal: "), m);
                assertFalse(m.contains("\n"), "one line: " + m);
                return opened[0] ? Outcome.FAILS_AFTER_RECORDS : Outcome.FAILS_AT_OPEN;
            }
        }, "cut at " + cut);
        JournalTextRoundTripProperties.deleteTree(dir);
        return outcome;
    }

    /** A copy of the journal whose cycle file holds only its first {@code cut} bytes. */
    private static Path cutCopy(long cut) throws IOException {
        Path dir = Files.createTempDirectory(root, "cut" + cut + "-");
        Files.copy(metadataFile, dir.resolve(metadataFile.getFileName()));
        try (InputStream in = Files.newInputStream(cycleFile);
             OutputStream out = Files.newOutputStream(dir.resolve(cycleFile.getFileName()))) {
            byte[] buf = new byte[65536];
            for (long left = cut; left > 0; ) {
                int n = in.read(buf, 0, (int) Math.min(buf.length, left));
                if (n < 0) {
                    break;
                }
                out.write(buf, 0, n);
                left -= n;
            }
        }
        return dir;
    }

    private static long lastNonZeroByte(Path file) throws IOException {
        long last = -1;
        ByteBuffer buf = ByteBuffer.allocate(1 << 20);
        try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
            long base = 0;
            for (int n = ch.read(buf); n > 0; n = ch.read(buf)) {
                for (int i = 0; i < n; i++) {
                    if (buf.get(i) != 0) {
                        last = base + i;
                    }
                }
                base += n;
                buf.clear();
            }
        }
        return last;
    }
}
