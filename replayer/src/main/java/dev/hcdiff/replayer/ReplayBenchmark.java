package dev.hcdiff.replayer;

import dev.hcdiff.replayer.lockstep.LockstepReplay;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.record.TraceRecord;

import java.nio.file.Path;
import java.util.Locale;

/**
 * {@code scripts/bench-replay}: records per second replaying a journal through both models,
 * next to a raw read of the same journal (decode only) in the same run. Each pass runs
 * {@code rounds} times and the best round is reported, so JIT warm-up does not count.
 *
 * <p>Usage: {@code ReplayBenchmark JOURNAL [ROUNDS]}. Prints one {@code key=value} line per pass.
 */
public final class ReplayBenchmark {

    private ReplayBenchmark() {
    }

    public static void main(String[] args) {
        if (args.length < 1) {
            System.err.println("usage: ReplayBenchmark JOURNAL [ROUNDS]");
            System.exit(2);
        }
        Path journal = Path.of(args[0]);
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long bestRead = Long.MAX_VALUE;
        long bestReplay = Long.MAX_VALUE;
        long records = 0;
        long diverging = -1;
        for (int i = 0; i < rounds; i++) {
            long t0 = System.nanoTime();
            records = rawRead(journal);
            bestRead = Math.min(bestRead, System.nanoTime() - t0);

            t0 = System.nanoTime();
            ReplayOutcome o = LockstepReplay.replay(journal);
            bestReplay = Math.min(bestReplay, System.nanoTime() - t0);
            diverging = o.diverging().size();
        }
        print("raw-read", records, bestRead, "");
        print("replay", records, bestReplay, " diverging_records=" + diverging);
    }

    private static long rawRead(Path journal) {
        long n = 0;
        try (Trace t = Traces.open(journal)) {
            for (TraceRecord r : t) {
                n += r.seq() >= 0 ? 1 : 0;
            }
        }
        return n;
    }


    private static void print(String what, long records, long nanos, String extra) {
        System.out.printf(Locale.ROOT, "%s records=%d seconds=%.3f records_per_s=%.0f ns_per_record=%.0f%s%n",
                what, records, nanos / 1e9, records / (nanos / 1e9), (double) nanos / records, extra);
    }
}
