package dev.hcdiff.trace;

import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;

/**
 * An open trace, a journal or a {@code .hct} file: its header and its records in {@code seq}
 * order. Records stream: each {@link #iterator()} reads from the first record again and holds only
 * the record it returns. Open one with {@code Traces.open}.
 *
 * <p>Reading errors surface as {@link TraceFormatException} from {@code open},
 * {@link Iterator#hasNext()} or {@link Iterator#next()}, naming the position. Seqs are checked:
 * the n-th record carries seq n.
 *
 * <p>Threading: one thread at a time per iterator.
 */
public interface Trace extends Iterable<TraceRecord>, AutoCloseable {

    /** Where the trace was read from. */
    Path path();

    JournalHeader header();

    /** A fresh pass over the records from the first one. */
    @Override
    Iterator<TraceRecord> iterator();

    /**
     * True when the trace ends with a {@link GuestStop}: the recording finished. A journal whose
     * writer crashed is readable up to its last whole record but not complete.
     */
    boolean complete();

    /** Every record in a list: for small traces (corpus cases, tests) only. */
    default List<TraceRecord> readAll() {
        List<TraceRecord> all = new ArrayList<>();
        for (TraceRecord r : this) {
            all.add(r);
        }
        return all;
    }

    @Override
    void close();
}
