package dev.hcdiff.trace.journal;

import net.openhft.chronicle.queue.RollCycle;
import net.openhft.chronicle.queue.RollCycles;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/** What a journal directory holds: Chronicle Queue's own files and nothing else. */
final class QueueFiles {

    /**
     * Roll cycle of every journal written: Chronicle's {@code FAST_DAILY} (one file per UTC day,
     * named like {@code 20261125F.cq4}, up to 2^32 - 1 records per file). The writer also freezes
     * Chronicle's clock at its creation time, so a recording never rolls mid-run: all of it lands
     * in the file of the day it started. Readers still handle several cycle files (a journal
     * written by another tool, or copied together); the tailer moves across them in order.
     *
     * <p>Not {@code WEEKLY}: in Chronicle Queue 2026.2 its file names ({@code YYYY'W'ww}) do not
     * parse back to the cycles that wrote them, so a read-only queue over several weekly files
     * starts at the wrong file, and its last-cycle search recursed into a StackOverflowError
     * (seen in {@code JournalReaderTest} and {@code JournalCrashTest}).
     */
    static final RollCycle ROLL_CYCLE = RollCycles.FAST_DAILY;

    /**
     * How long a reader lets Chronicle wait for a cycle file's first header, in ms. Chronicle
     * waits (10 s by default) for a writer that has created the file but not yet its header; a
     * writer does that at once, so a longer wait only means a file cut to a few bytes, which must
     * fail fast. Our choice, not Chronicle's.
     */
    static final long READ_TIMEOUT_MS = 500;

    /** Suffix of Chronicle Queue's data files (one per cycle). */
    static final String DATA_SUFFIX = ".cq4";
    /** Suffix of Chronicle Queue's table-store files ({@code metadata.cq4t}). */
    static final String TABLE_SUFFIX = ".cq4t";

    private QueueFiles() {
    }

    static boolean isQueueFile(Path p) {
        String name = p.getFileName().toString();
        return Files.isRegularFile(p) && (name.endsWith(DATA_SUFFIX) || name.endsWith(TABLE_SUFFIX));
    }

    static boolean isDataFile(Path p) {
        return Files.isRegularFile(p) && p.getFileName().toString().endsWith(DATA_SUFFIX);
    }

    /** The entries of {@code dir}, sorted by name. */
    static List<Path> entries(Path dir) throws IOException {
        try (Stream<Path> s = Files.list(dir)) {
            return new ArrayList<>(s.sorted().toList());
        }
    }

    /** True when {@code dir} is a directory holding at least one {@code .cq4} file. */
    static boolean looksLikeJournal(Path dir) {
        if (!Files.isDirectory(dir)) {
            return false;
        }
        try {
            return entries(dir).stream().anyMatch(QueueFiles::isDataFile);
        } catch (IOException e) {
            return false;
        }
    }
}
