package dev.hcdiff.trace.record;

/**
 * Where a recorder puts the records it produces, in order: a Chronicle journal
 * ({@code JournalWriter}) or anything else that keeps them.
 *
 * <p>Single writer. After {@link #append} returns, the record survives a crash of the process.
 */
public interface TraceSink extends AutoCloseable {

    /** Appends one record; its {@code seq} must be the previous one plus one, starting at 0. */
    void append(TraceRecord record);

    /** Flushes and releases the sink. */
    @Override
    void close();
}
