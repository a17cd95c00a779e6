package dev.hcdiff.recorder;

import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;

import java.util.ArrayList;
import java.util.List;

/** An in-memory TraceSink that also checks TraceSink's seq contract on every append. */
final class ListSink implements TraceSink {

    final List<TraceRecord> records = new ArrayList<>();
    boolean closed;

    @Override
    public void append(TraceRecord record) {
        if (record.seq() != records.size()) {
            throw new AssertionError("record " + record + " has seq " + record.seq() + ", expected " + records.size());
        }
        records.add(record);
    }

    @Override
    public void close() {
        closed = true;
    }
}
