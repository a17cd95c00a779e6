package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.FormatVersion;
import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.codec.RecordCodec;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import net.openhft.chronicle.bytes.Bytes;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptTailer;
import net.openhft.chronicle.queue.TailerDirection;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.Optional;

/**
 * Reads a journal written by {@link JournalWriter}, read-only: it never creates, recovers or
 * changes a file, so a directory that is not a journal stays as it was.
 *
 * <p>Records stream: an iterator holds one Chronicle tailer and one reusable buffer, and moves
 * across cycle files in order. A document left incomplete by a writer that crashed mid-append is
 * where iteration ends (Chronicle's read-only tailer reports no further document instead of
 * waiting); {@link #complete()} tells whether the journal ended with its {@link GuestStop}.
 *
 * <p>Every document's CRC-32C ({@link JournalFraming}) is checked before it is decoded, so a
 * record changed on disk is reported, not replayed.
 *
 * <p>Errors: {@link TraceFormatException} with {@code position()} the record index (0 = the first
 * record after the header) and a message such as
 * {@code "/tmp/j: record 17: checksum mismatch (stored 0x1c2d3e4f, computed 0x0a0b0c0d)"} or
 * {@code "/tmp/j: record 17: byte 0: unknown record cookie 0x7f13"}. A cycle file cut short
 * makes Chronicle touch memory past its end (SIGBUS, which the JVM raises as
 * {@link InternalError}) or fail in its own ways; every such failure, at open and while
 * iterating, becomes {@code "/tmp/j: truncated or unreadable at record 17 (InternalError: …)"}.
 * A cut that falls between documents reads as the journal of a writer that crashed there: a
 * prefix of the records, not {@link #complete()}.
 *
 * <p>Threading: any thread may iterate, one at a time per iterator; close after the iterators.
 */
public final class JournalReader implements Trace {

    /**
     * What a framing-1 journal gets: its header document starts with the codec's header cookie
     * 0x4801 where framing 2 has the marker "hcj" 2 ({@link JournalFraming}).
     */
    private static final String FRAMING_1 = "journal framing 1 (written before records carried checksums);"
            + " this hcdiff reads journal framing " + JournalFraming.VERSION + ": record it again";

    private final Path dir;
    private final ChronicleQueue queue;
    private final JournalHeader header;
    private final List<ExcerptTailer> tailers = new ArrayList<>();
    private Optional<TraceRecord> last;

    private JournalReader(Path dir, ChronicleQueue queue, JournalHeader header) {
        this.dir = dir;
        this.queue = queue;
        this.header = header;
    }

    /**
     * Opens the journal in {@code dir} and reads its header.
     *
     * @throws TraceFormatException when {@code dir} is not a directory, has no {@code .cq4} files,
     *                              cannot be opened by Chronicle, is truncated, does not start with
     *                              a framing-{@value JournalFraming#VERSION} header whose checksum
     *                              matches, or its header names another trace format
     */
    public static JournalReader open(Path dir) {
        if (!Files.isDirectory(dir)) {
            throw new TraceFormatException("not a journal: " + dir + " is not a directory", TraceFormatException.NO_POSITION);
        }
        if (!QueueFiles.looksLikeJournal(dir)) {
            throw new TraceFormatException("not a journal: " + dir + " has no .cq4 files", TraceFormatException.NO_POSITION);
        }
        ChronicleQueue queue;
        try {
            queue = ChronicleQueue.singleBuilder(dir).rollCycle(QueueFiles.ROLL_CYCLE).readOnly(true)
                    .timeoutMS(QueueFiles.READ_TIMEOUT_MS).build();
        } catch (Exception | InternalError | StackOverflowError e) {
            throw new TraceFormatException("not a journal: Chronicle cannot open " + dir + ": " + describe(e),
                    TraceFormatException.NO_POSITION, e);
        }
        try {
            JournalHeader header = readHeader(dir, queue);
            return new JournalReader(dir, queue, header);
        } catch (RuntimeException | Error e) {
            closeQuietly(queue);
            throw e;
        }
    }

    private static JournalHeader readHeader(Path dir, ChronicleQueue queue) {
        byte[] doc;
        try (ExcerptTailer tailer = queue.createTailer(); DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw new TraceFormatException("not a journal: " + dir + " holds no header document"
                        + " (empty, truncated, or its metadata.cq4t is missing)", TraceFormatException.NO_POSITION);
            }
            doc = copy(dc.wire().bytes());
        } catch (Exception | InternalError | StackOverflowError e) {
            throw e instanceof TraceFormatException t ? t : unreadable(dir, "the header", TraceFormatException.NO_POSITION, e);
        }
        return parseHeader(dir, doc);
    }

    /** Marker, framing version, checksum, then the codec's header, then its format. */
    private static JournalHeader parseHeader(Path dir, byte[] doc) {
        int n = doc.length;
        if (RecordCodec.isHeader(doc, 0, n)) {
            throw new TraceFormatException(dir + ": " + FRAMING_1, TraceFormatException.NO_POSITION);
        }
        if (!JournalFraming.hasMarker(doc, n)) {
            throw new TraceFormatException("not a journal: the first document of " + dir
                    + " does not start with the hcdiff journal marker 'hcj'", TraceFormatException.NO_POSITION);
        }
        int version = doc[JournalFraming.MARKER.length - 1] & 0xFF;
        if (version != JournalFraming.VERSION) {
            throw new TraceFormatException(dir + ": journal framing " + version + "; this hcdiff reads journal framing "
                    + JournalFraming.VERSION, TraceFormatException.NO_POSITION);
        }
        int payload = n - JournalFraming.CRC_BYTES;
        if (payload < JournalFraming.MARKER.length) {
            throw new TraceFormatException(dir + ": header: a document of " + n + " bytes has no room for its checksum",
                    TraceFormatException.NO_POSITION);
        }
        checkCrc(new JournalFraming(), doc, payload, dir + ": header", TraceFormatException.NO_POSITION);
        JournalHeader header;
        try {
            header = RecordCodec.decodeHeader(doc, JournalFraming.MARKER.length, payload - JournalFraming.MARKER.length);
        } catch (TraceFormatException e) {
            throw new TraceFormatException(dir + ": header: " + e.getMessage(), TraceFormatException.NO_POSITION, e);
        }
        String problem = FormatVersion.problem(header.get(JournalHeader.FORMAT));
        if (problem != null) {
            throw new TraceFormatException(dir + ": " + problem, TraceFormatException.NO_POSITION);
        }
        return header;
    }

    /** Compares the CRC stored after {@code doc[0, payload)} with the one computed over it. */
    private static void checkCrc(JournalFraming framing, byte[] doc, int payload, String where, long position) {
        int stored = JournalFraming.storedCrc(doc, payload);
        int computed = framing.crc(doc, 0, payload);
        if (stored != computed) {
            throw new TraceFormatException(where + ": checksum mismatch (stored " + JournalFraming.hex(stored)
                    + ", computed " + JournalFraming.hex(computed) + ")", position);
        }
    }

    /**
     * One record document in {@code doc[0, n)}: its checksum, then the record.
     *
     * @param where    {@code "<dir>: record 17"}, what errors start with
     * @param position the record index for errors, or {@link TraceFormatException#NO_POSITION}
     */
    private static TraceRecord decodeRecord(JournalFraming framing, byte[] doc, int n, String where, long position) {
        int payload = n - JournalFraming.CRC_BYTES;
        if (payload < 0) {
            throw new TraceFormatException(where + ": a document of " + n + " bytes has no room for its checksum", position);
        }
        checkCrc(framing, doc, payload, where, position);
        try {
            return RecordCodec.decode(doc, 0, payload);
        } catch (TraceFormatException e) {
            throw new TraceFormatException(where + ": " + e.getMessage(), position, e);
        }
    }

    /** The unread bytes of a document (header and last record only; iteration reuses a buffer). */
    private static byte[] copy(Bytes<?> bytes) {
        byte[] out = new byte[(int) bytes.readRemaining()];
        bytes.read(out, 0, out.length);
        return out;
    }

    @Override
    public Path path() {
        return dir;
    }

    @Override
    public JournalHeader header() {
        return header;
    }

    /**
     * True when the last record is a {@link GuestStop}. Cheap on a journal of any size: see
     * {@link #lastRecord()}.
     *
     * @throws TraceFormatException when the last record cannot be read or decoded
     */
    @Override
    public boolean complete() {
        return lastRecord().orElse(null) instanceof GuestStop;
    }

    /**
     * The last whole record, empty when the journal holds only its header. Reads only the last
     * document (a backward tailer), so a caller can say where a truncated journal ends
     * ({@code "ends at @1234 without a stop"}) without a pass over it. Its checksum is checked.
     *
     * @throws TraceFormatException when the last record cannot be read or decoded
     */
    public synchronized Optional<TraceRecord> lastRecord() {
        if (last == null) {
            byte[] doc = new byte[0];
            try (ExcerptTailer tailer = queue.createTailer()) {
                tailer.singleThreadedCheckDisabled(true);
                tailer.direction(TailerDirection.BACKWARD).toEnd();
                try (DocumentContext dc = tailer.readingDocument()) {
                    if (dc.isPresent()) {
                        doc = copy(dc.wire().bytes());
                    }
                }
            } catch (Exception | InternalError | StackOverflowError e) {
                throw unreadable(dir, "its last record", TraceFormatException.NO_POSITION, e);
            }
            if (doc.length == 0 || JournalFraming.hasMarker(doc, doc.length)) {
                last = Optional.empty(); // only the header: no records at all
            } else {
                last = Optional.of(decodeRecord(new JournalFraming(), doc, doc.length, dir + ": last record",
                        TraceFormatException.NO_POSITION));
            }
        }
        return last;
    }

    /**
     * A pass over the records from the first one. After a {@link TraceFormatException} the
     * iterator throws the same exception again rather than skip the bad record.
     *
     * @throws IllegalStateException after {@link #close}
     * @throws TraceFormatException  when the header document cannot be read again
     */
    @Override
    public synchronized Iterator<TraceRecord> iterator() {
        if (queue.isClosed()) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        ExcerptTailer tailer;
        try {
            tailer = queue.createTailer();
            tailer.singleThreadedCheckDisabled(true);
            tailers.add(tailer);
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    throw new TraceFormatException(dir + ": the header document disappeared", TraceFormatException.NO_POSITION);
                }
            }
        } catch (Exception | InternalError | StackOverflowError e) {
            throw e instanceof TraceFormatException t ? t : unreadable(dir, "the header", TraceFormatException.NO_POSITION, e);
        }
        return new RecordIterator(tailer);
    }

    private final class RecordIterator implements Iterator<TraceRecord> {
        private final ExcerptTailer tailer;
        private final JournalFraming framing = new JournalFraming();
        private byte[] buf = new byte[4096 + 256];
        private long index;
        private TraceRecord next;
        private boolean done;
        private TraceFormatException failure;

        RecordIterator(ExcerptTailer tailer) {
            this.tailer = tailer;
        }

        @Override
        public boolean hasNext() {
            if (failure != null) {
                throw failure;
            }
            if (next == null && !done) {
                try {
                    next = readDocument();
                } catch (TraceFormatException e) {
                    failure = e;
                    done = true;
                    release(tailer);
                    throw e;
                }
                if (next == null) {
                    done = true;
                    release(tailer); // end of the journal: free the tailer now, not at close()
                }
            }
            return next != null;
        }

        @Override
        public TraceRecord next() {
            if (!hasNext()) {
                throw new NoSuchElementException("journal " + dir + " has " + index + " records");
            }
            TraceRecord r = next;
            next = null;
            return r;
        }

        /** The next record, or null at the end; the document is copied once, into {@code buf}. */
        private TraceRecord readDocument() {
            int n;
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                Bytes<?> bytes = dc.wire().bytes();
                n = (int) bytes.readRemaining();
                if (n > buf.length) {
                    buf = new byte[Math.max(n, buf.length * 2)];
                }
                bytes.read(buf, 0, n);
            } catch (Exception | InternalError | StackOverflowError e) {
                throw unreadable(dir, "record " + index, index, e);
            }
            TraceRecord r = decodeRecord(framing, buf, n, dir + ": record " + index, index);
            if (r.seq() != index) {
                throw new TraceFormatException(dir + ": record " + index + ": carries seq " + r.seq()
                        + ", expected " + index, index);
            }
            index++;
            return r;
        }
    }

    /**
     * A failure of Chronicle over a damaged file: an {@link InternalError} for SIGBUS past the end
     * of a cut file, or its own exceptions, some of them checked ones thrown unchecked (a cut file
     * header gives {@code java.io.StreamCorruptedException}, a cut index an
     * {@code IORuntimeException}). Caught as {@code Exception}, {@code InternalError} and
     * {@code StackOverflowError} (Chronicle's cycle search recursed into one, see
     * {@link QueueFiles#ROLL_CYCLE}); other errors (out of memory) are not about the file.
     */
    private static TraceFormatException unreadable(Path dir, String where, long position, Throwable e) {
        return new TraceFormatException(dir + ": truncated or unreadable at " + where + " (" + describe(e) + ")", position, e);
    }

    private synchronized void release(ExcerptTailer tailer) {
        if (tailers.remove(tailer)) {
            closeQuietly(tailer);
        }
    }

    /**
     * {@code "InternalError: a fault occurred …"}: the first line of the message, whose control
     * characters (Chronicle quotes raw file bytes in some) become spaces.
     */
    private static String describe(Throwable e) {
        String m = e.getMessage() == null ? "" : e.getMessage().strip();
        int nl = m.indexOf('\n');
        m = nl < 0 ? m : m.substring(0, nl);
        m = m.replaceAll("\\p{Cntrl}", " ").replaceAll(" {2,}", " ").strip();
        return e.getClass().getSimpleName() + (m.isEmpty() ? "" : ": " + m);
    }

    /**
     * Closes a tailer or the queue. Over a damaged file Chronicle may fault again while releasing;
     * the reader has already reported the damage, and closing must still free the rest.
     */
    private static void closeQuietly(AutoCloseable c) {
        try {
            c.close();
        } catch (Exception | InternalError | StackOverflowError ignored) {
            // reported already by the read that failed
        }
    }

    /** Releases the queue and every tailer. Idempotent. */
    @Override
    public synchronized void close() {
        for (ExcerptTailer t : tailers) {
            closeQuietly(t);
        }
        tailers.clear();
        closeQuietly(queue);
    }
}
