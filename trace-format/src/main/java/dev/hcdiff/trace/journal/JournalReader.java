package dev.hcdiff.trace.journal;

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
 * <p>Errors: {@link TraceFormatException} with {@code position()} the record index (0 = the first
 * record after the header) and a message such as
 * {@code "/tmp/j: record 17: byte 0: unknown record cookie 0x7f13"}.
 *
 * <p>Threading: any thread may iterate, one at a time per iterator; close after the iterators.
 */
public final class JournalReader implements Trace {

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
     *                              cannot be opened by Chronicle, or does not start with a header
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
            queue = ChronicleQueue.singleBuilder(dir).rollCycle(QueueFiles.ROLL_CYCLE).readOnly(true).build();
        } catch (RuntimeException e) {
            throw new TraceFormatException("not a journal: Chronicle cannot open " + dir + ": " + oneLine(e),
                    TraceFormatException.NO_POSITION, e);
        }
        try {
            JournalHeader header = readHeader(dir, queue);
            return new JournalReader(dir, queue, header);
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    private static JournalHeader readHeader(Path dir, ChronicleQueue queue) {
        ExcerptTailer tailer = queue.createTailer();
        try (tailer; DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw new TraceFormatException("not a journal: " + dir + " holds no header document"
                        + " (empty, or its metadata.cq4t is missing)", TraceFormatException.NO_POSITION);
            }
            byte[] bytes = copy(dc.wire().bytes());
            try {
                return RecordCodec.decodeHeader(bytes, 0, bytes.length);
            } catch (TraceFormatException e) {
                throw new TraceFormatException(dir + ": header: " + e.getMessage(), TraceFormatException.NO_POSITION, e);
            }
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
     * @throws TraceFormatException when the last record cannot be decoded
     */
    @Override
    public boolean complete() {
        return lastRecord().orElse(null) instanceof GuestStop;
    }

    /**
     * The last whole record, empty when the journal holds only its header. Reads only the last
     * document (a backward tailer), so a caller can say where a truncated journal ends
     * ({@code "ends at @1234 without a stop"}) without a pass over it.
     *
     * @throws TraceFormatException when the last record cannot be decoded
     */
    public synchronized Optional<TraceRecord> lastRecord() {
        if (last == null) {
            ExcerptTailer tailer = queue.createTailer();
            tailer.singleThreadedCheckDisabled(true);
            try (tailer) {
                tailer.direction(TailerDirection.BACKWARD).toEnd();
                try (DocumentContext dc = tailer.readingDocument()) {
                    byte[] bytes = dc.isPresent() ? copy(dc.wire().bytes()) : new byte[0];
                    if (bytes.length == 0 || RecordCodec.isHeader(bytes, 0, bytes.length)) {
                        last = Optional.empty(); // only the header: no records at all
                    } else {
                        try {
                            last = Optional.of(RecordCodec.decode(bytes));
                        } catch (TraceFormatException e) {
                            throw new TraceFormatException(dir + ": last record: " + e.getMessage(),
                                    TraceFormatException.NO_POSITION, e);
                        }
                    }
                }
            }
        }
        return last;
    }

    /**
     * A pass over the records from the first one.
     *
     * @throws IllegalStateException after {@link #close}
     */
    @Override
    public synchronized Iterator<TraceRecord> iterator() {
        if (queue.isClosed()) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        ExcerptTailer tailer = queue.createTailer();
        tailer.singleThreadedCheckDisabled(true);
        tailers.add(tailer);
        try (DocumentContext dc = tailer.readingDocument()) {
            if (!dc.isPresent()) {
                throw new TraceFormatException(dir + ": the header document disappeared", TraceFormatException.NO_POSITION);
            }
        }
        return new RecordIterator(tailer);
    }

    private final class RecordIterator implements Iterator<TraceRecord> {
        private final ExcerptTailer tailer;
        private byte[] buf = new byte[4096 + 256];
        private long index;
        private TraceRecord next;
        private boolean done;

        RecordIterator(ExcerptTailer tailer) {
            this.tailer = tailer;
        }

        @Override
        public boolean hasNext() {
            if (next == null && !done) {
                next = readNext();
                done = next == null;
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

        private TraceRecord readNext() {
            TraceRecord r = readDocument();
            if (r == null) {
                release(tailer); // end of the journal: free the tailer now, not at close()
            }
            return r;
        }

        private TraceRecord readDocument() {
            try (DocumentContext dc = tailer.readingDocument()) {
                if (!dc.isPresent()) {
                    return null;
                }
                Bytes<?> bytes = dc.wire().bytes();
                int n = (int) bytes.readRemaining();
                if (n > buf.length) {
                    buf = new byte[Math.max(n, buf.length * 2)];
                }
                bytes.read(buf, 0, n);
                TraceRecord r;
                try {
                    r = RecordCodec.decode(buf, 0, n);
                } catch (TraceFormatException e) {
                    throw new TraceFormatException(dir + ": record " + index + ": " + e.getMessage(), index, e);
                }
                if (r.seq() != index) {
                    throw new TraceFormatException(dir + ": record " + index + ": carries seq " + r.seq()
                            + ", expected " + index, index);
                }
                index++;
                return r;
            } catch (TraceFormatException e) {
                throw e;
            } catch (RuntimeException e) {
                throw new TraceFormatException(dir + ": record " + index + ": Chronicle cannot read it: " + oneLine(e), index, e);
            }
        }
    }

    private synchronized void release(ExcerptTailer tailer) {
        if (tailers.remove(tailer)) {
            tailer.close();
        }
    }

    private static String oneLine(Throwable e) {
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        int nl = m.indexOf('\n');
        return nl < 0 ? m : m.substring(0, nl);
    }

    /** Releases the queue and every tailer. Idempotent. */
    @Override
    public synchronized void close() {
        for (ExcerptTailer t : tailers) {
            t.close();
        }
        tailers.clear();
        queue.close();
    }
}
