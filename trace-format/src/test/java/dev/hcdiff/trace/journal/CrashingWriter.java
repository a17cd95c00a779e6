package dev.hcdiff.trace.journal;

import dev.hcdiff.trace.codec.RecordCodec;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import net.openhft.chronicle.queue.ChronicleQueue;
import net.openhft.chronicle.wire.DocumentContext;

import java.nio.file.Path;
import java.util.List;

/**
 * A child JVM for {@link JournalCrashTest}: writes a journal and is killed by its parent.
 * <ul>
 * <li>{@code stream DIR}: appends records without end, printing {@code appended N} once N records
 *     are in, so the kill lands at a random point, often inside a document;</li>
 * <li>{@code torn DIR}: appends {@value #TORN_AFTER} records, then opens a document, writes half a
 *     record into it, prints {@code torn} and waits with the document open.</li>
 * </ul>
 */
public final class CrashingWriter {

    static final int STREAM_REPORT_AFTER = 500;
    static final int TORN_AFTER = 20;

    private CrashingWriter() {
    }

    /** The record every run writes at {@code seq}: deterministic, with a payload of varying length. */
    static TraceRecord record(long seq) {
        byte[] data = new byte[(int) (seq * 37 % 700)];
        for (int i = 0; i < data.length; i++) {
            data[i] = (byte) (seq + i);
        }
        Observation o = Observation.builder().returns(seq % 3 == 0 ? -22 : 0).write(new MemChunk(0x7000 + seq, data)).build();
        return new Exchange(seq, seq * 1000, seq % 17, new Hypercall(0, Abi.XEN64, 32, new long[]{4, seq, 0, 0, 0, 0}),
                List.of(new MemChunk(0x8000, new byte[]{(byte) seq, 0, 0, 0})), o);
    }

    static JournalHeader header() {
        return JournalHeader.create().with(JournalHeader.RECORDER, "crash-test");
    }

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[1]);
        switch (args[0]) {
            case "stream" -> {
                JournalWriter w = JournalWriter.create(dir, header(), false);
                for (long seq = 0; ; seq++) {
                    w.append(record(seq));
                    if (seq + 1 == STREAM_REPORT_AFTER) {
                        System.out.println("appended " + (seq + 1));
                        System.out.flush();
                    }
                }
            }
            case "torn" -> {
                try (JournalWriter w = JournalWriter.create(dir, header(), false)) {
                    for (long seq = 0; seq < TORN_AFTER; seq++) {
                        w.append(record(seq));
                    }
                }
                ChronicleQueue q = ChronicleQueue.singleBuilder(dir).rollCycle(QueueFiles.ROLL_CYCLE).build();
                DocumentContext dc = q.createAppender().writingDocument();
                byte[] enc = RecordCodec.encode(record(TORN_AFTER));
                dc.wire().bytes().write(enc, 0, enc.length / 2);
                System.out.println("torn");
                System.out.flush();
                Thread.sleep(Long.MAX_VALUE);
            }
            default -> throw new IllegalArgumentException("mode: stream or torn");
        }
    }
}
