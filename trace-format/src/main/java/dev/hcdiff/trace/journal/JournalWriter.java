package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.codec.EncodeBuffer;
import dev.hcdiff.trace.codec.RecordCodec;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;
import net.openhft.chronicle.core.time.SetTimeProvider;
import net.openhft.chronicle.core.time.TimeProvider;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.queue.ExcerptAppender;
import net.openhft.chronicle.wire.DocumentContext;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NotDirectoryException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * Writes a journal: a Chronicle Queue directory whose first document is the
 * {@linkplain RecordCodec#encodeHeader encoded header} and every further document one
 * {@linkplain RecordCodec#encode encoded record}, in {@code seq} order from 0, each followed by
 * its CRC-32C ({@link JournalFraming}, framing 2).
 *
 * <p>Durability: a document is written into Chronicle's memory-mapped cycle file and marked
 * complete before {@link #append} returns, so it survives a crash of this JVM (not of the host);
 * a record torn by a crash mid-append stays incomplete and readers stop before it.
 *
 * <p>Threading: single writer. {@link #append} is synchronized, so a recorder may call it from
 * several vCPU threads, but records must still arrive in {@code seq} order.
 *
 * <p>The directory holds only the queue's own files ({@code *.cq4}, {@code metadata.cq4t}), so
 * tools tell a journal by its {@code .cq4} files.
 */
public final class JournalWriter implements TraceSink {

    private final Path dir;
    private final ChronicleQueue queue;
    private final ExcerptAppender appender;
    /** One encoding pass per record into a reused array: a page-sized transport record fits at once. */
    private final EncodeBuffer buffer = new EncodeBuffer(4096 + 256);
    private final JournalFraming framing = new JournalFraming();
    private final byte[] crcBytes = new byte[JournalFraming.CRC_BYTES];
    private long nextSeq;
    private boolean closed;

    private JournalWriter(Path dir, ChronicleQueue queue, ExcerptAppender appender) {
        this.dir = dir;
        this.queue = queue;
        this.appender = appender;
    }

    /**
     * Creates a journal in {@code dir} and writes its header.
     *
     * @param force overwrite an existing journal: delete its queue files first. A queue directory
     *              is otherwise appended to (build.md), so without {@code force} an existing
     *              non-empty directory is refused. A directory holding anything but queue files
     *              is refused even with {@code force}.
     * @throws FileAlreadyExistsException when {@code dir} is not empty and {@code force} is false
     * @throws IOException                when {@code dir} is a file, holds foreign files, or cannot
     *                                    be created or cleared
     */
    public static JournalWriter create(Path dir, JournalHeader header, boolean force) throws IOException {
        return create(dir, header, force, null);
    }

    /** As {@link #create(Path, JournalHeader, boolean)} with Chronicle's cycle clock given (tests roll cycles with it). */
    static JournalWriter create(Path dir, JournalHeader header, boolean force, TimeProvider clock) throws IOException {
        Objects.requireNonNull(header, "header");
        prepare(dir, force);
        // A frozen clock: Chronicle reads it only to pick the cycle file, so the whole recording
        // goes into the file of the day it started and never rolls (QueueFiles.ROLL_CYCLE).
        TimeProvider cycleClock = clock != null ? clock : new SetTimeProvider(Instant.now());
        ChronicleQueue queue = ChronicleQueue.singleBuilder(dir).rollCycle(QueueFiles.ROLL_CYCLE)
                .timeProvider(cycleClock).build();
        try {
            ExcerptAppender appender = queue.createAppender();
            // append() is synchronized; let any one thread at a time use the appender
            appender.singleThreadedCheckDisabled(true);
            JournalWriter w = new JournalWriter(dir, queue, appender);
            w.writeHeader(header);
            return w;
        } catch (RuntimeException e) {
            queue.close();
            throw e;
        }
    }

    /**
     * Checks, changing nothing, that {@link #create} may write a journal at {@code dir}: it does
     * not exist, is an empty directory, or ({@code force}) a directory holding only queue files.
     *
     * @return the entries {@code create} would delete (empty unless {@code force})
     * @throws FileAlreadyExistsException when {@code dir} is not empty and {@code force} is false
     * @throws NotDirectoryException      when {@code dir} is a file
     * @throws IOException                when {@code dir} holds foreign files or cannot be listed
     */
    public static List<Path> checkTarget(Path dir, boolean force) throws IOException {
        if (Files.exists(dir) && !Files.isDirectory(dir)) {
            throw new NotDirectoryException(dir + " is a file, not a journal directory");
        }
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<Path> entries = QueueFiles.entries(dir);
        if (entries.isEmpty()) {
            return entries;
        }
        if (!force) {
            throw new FileAlreadyExistsException(dir.toString(), null,
                    "not empty (" + entries.size() + " entries); refusing to append to it, use force to overwrite");
        }
        for (Path p : entries) {
            if (!QueueFiles.isQueueFile(p)) {
                throw new IOException(dir + " holds " + p.getFileName()
                        + ", which is not a queue file; refusing to overwrite it even with force");
            }
        }
        return entries;
    }

    private static void prepare(Path dir, boolean force) throws IOException {
        List<Path> old = checkTarget(dir, force);
        if (!Files.isDirectory(dir)) {
            Files.createDirectories(dir);
        }
        for (Path p : old) {
            Files.delete(p);
        }
    }

    /** The header document: framing marker, encoded header, CRC over both. */
    private void writeHeader(JournalHeader header) {
        byte[] encoded = RecordCodec.encodeHeader(header);
        byte[] doc = new byte[JournalFraming.MARKER.length + encoded.length];
        System.arraycopy(JournalFraming.MARKER, 0, doc, 0, JournalFraming.MARKER.length);
        System.arraycopy(encoded, 0, doc, JournalFraming.MARKER.length, encoded.length);
        writeDocument(doc, doc.length);
    }

    /**
     * Appends one record as one document.
     *
     * @throws IllegalArgumentException when {@code record.seq()} is not the previous seq plus one
     *                                  (0 for the first record)
     * @throws IllegalStateException    after {@link #close}
     */
    @Override
    public synchronized void append(TraceRecord record) {
        if (closed) {
            throw new IllegalStateException("journal " + dir + " is closed");
        }
        if (record.seq() != nextSeq) {
            throw new IllegalArgumentException("journal " + dir + ": record seq " + record.seq()
                    + " appended where seq " + nextSeq + " is due");
        }
        int n = RecordCodec.encode(record, buffer);
        writeDocument(buffer.array(), n);
        nextSeq++;
    }

    /**
     * One document, {@code bytes[0, length)} then their CRC-32C: complete (and visible to
     * readers) when the context closes.
     */
    private void writeDocument(byte[] bytes, int length) {
        JournalFraming.putCrc(crcBytes, 0, framing.crc(bytes, 0, length));
        try (DocumentContext dc = appender.writingDocument()) {
            dc.wire().bytes().write(bytes, 0, length).write(crcBytes, 0, crcBytes.length);
        }
    }

    /** The seq the next {@link #append} must carry. */
    public synchronized long nextSeq() {
        return nextSeq;
    }

    public Path dir() {
        return dir;
    }

    /** Closes the queue; its mapped files are flushed by the OS. Idempotent. */
    @Override
    public synchronized void close() {
        if (!closed) {
            closed = true;
            appender.close();
            queue.close();
        }
    }
}
