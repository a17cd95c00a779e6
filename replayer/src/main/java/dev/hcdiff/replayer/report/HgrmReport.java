package dev.hcdiff.replayer.report;

import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * HdrHistogram percentile distributions, one file per call and side
 * ({@code replay --hgrm DIR}): {@code <call>@<side>.hgrm}, with '/' in call names written as
 * '_'. Values are nanoseconds (output value unit ratio 1), in HdrHistogram's own
 * {@code outputPercentileDistribution} format, which its plotting tools read.
 */
public final class HgrmReport {

    private HgrmReport() {
    }

    /** Writes every histogram into {@code dir} (created if needed); returns the number of files. */
    public static int write(ReplayOutcome o, Path dir) throws IOException {
        Files.createDirectories(dir);
        int n = 0;
        for (Map.Entry<String, Map<String, Histogram>> e : o.latency().histograms().entrySet()) {
            for (Map.Entry<String, Histogram> side : e.getValue().entrySet()) {
                Path file = dir.resolve(fileName(e.getKey(), side.getKey()));
                try (PrintStream ps = new PrintStream(Files.newOutputStream(file), false, "UTF-8")) {
                    side.getValue().outputPercentileDistribution(ps, 1.0);
                }
                n++;
            }
        }
        return n;
    }

    static String fileName(String call, String side) {
        return (call + "@" + side).replaceAll("[^A-Za-z0-9@._-]", "_") + ".hgrm";
    }
}
