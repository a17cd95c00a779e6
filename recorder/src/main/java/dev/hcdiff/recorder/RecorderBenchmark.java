package dev.hcdiff.recorder;

import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.recorder.guest.BuiltinGuests;
import dev.hcdiff.trace.journal.JournalWriter;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The recorder's cost per hypercall (scripts/bench-recorder prints it next to the C floor):
 * records the built-in {@code spin} guest making N xen_version calls, served by the reference Xen,
 * once into an in-memory sink and once into a Chronicle journal. A warm-up recording of the same
 * guest runs first so the JIT has compiled the exit path.
 *
 * <pre>java … dev.hcdiff.recorder.RecorderBenchmark CALLS JOURNAL_DIR</pre>
 * Output, one line per sink: {@code java-memory calls=N ns_per_call=X}.
 */
public final class RecorderBenchmark {

    private RecorderBenchmark() {
    }

    /** Calls of the warm-up run. */
    private static final long WARMUP_CALLS = 20_000;

    public static void main(String[] args) throws Exception {
        if (args.length != 2) {
            System.err.println("usage: RecorderBenchmark CALLS JOURNAL_DIR");
            System.exit(2);
        }
        long calls = Long.parseLong(args[0]);
        Path journalDir = Path.of(args[1]);
        byte[] spin = BuiltinGuests.load("spin");

        record(spin, WARMUP_CALLS, new MemorySink());
        System.out.println("java-memory calls=" + calls + " ns_per_call=" + perCall(spin, calls, new MemorySink()));

        Recorder.RecordOptions o = options(spin, calls);
        try (JournalWriter journal = JournalWriter.create(journalDir, Recorder.header(o, backend()), true)) {
            System.out.println("java-journal calls=" + calls + " ns_per_call=" + perCall(spin, calls, journal));
        }
    }

    private static String perCall(byte[] spin, long calls, TraceSink sink) {
        long t0 = System.nanoTime();
        Recorder.RecordResult r = record(spin, calls, sink);
        long took = System.nanoTime() - t0;
        if (r.stop().reason() != GuestStop.StopReason.SHUTDOWN || r.hypercalls() != calls + 1) {
            throw new IllegalStateException("spin did not finish cleanly: " + r);
        }
        return String.format("%.1f", (double) took / r.hypercalls());
    }

    private static Recorder.RecordResult record(byte[] spin, long calls, TraceSink sink) {
        return Recorder.record(options(spin, calls), backend(), sink, line -> { });
    }

    private static Recorder.RecordOptions options(byte[] spin, long calls) {
        return Recorder.RecordOptions.of("spin", spin, calls).withBudget(Duration.ofMinutes(10));
    }

    private static XenBackend backend() {
        return new XenBackend(XenConfig.fromMap(HostFacts.xenHostConfig()));
    }

    /** Keeps every record, as a test sink would. */
    private static final class MemorySink implements TraceSink {
        private final List<TraceRecord> records = new ArrayList<>();

        @Override
        public void append(TraceRecord record) {
            records.add(record);
        }

        @Override
        public void close() {
        }
    }
}
