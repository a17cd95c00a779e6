package dev.hcdiff.fuzz.campaign;

import dev.hcdiff.fuzz.FuzzCall;
import dev.hcdiff.fuzz.PairRun;
import dev.hcdiff.fuzz.arbitraries.XenCalls;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.text.HctWriter;
import net.jqwik.api.RandomGenerator;
import net.jqwik.api.Shrinkable;
import net.jqwik.api.sessions.JqwikSession;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Random;
import java.util.Set;
import java.util.function.Consumer;

/**
 * A fuzz campaign on a time budget: generate call sequences with the jqwik arbitraries, run each
 * through the pair, shrink every new divergence to a minimal sequence and write it as an
 * {@code .hct} case. Deterministic for a seed: the same seed, code and budget of tries give the
 * same sequences (the budget in seconds only decides how many are tried).
 */
public final class FuzzCampaign {

    /** jqwik's generation size: how large generated values get. */
    private static final int GEN_SIZE = 1_000;

    private final PairRun pair;
    private final JournalHeader baseHeader;
    private final int maxLength;

    /**
     * @param pair       the personalities to compare
     * @param baseHeader the header every written case starts from (backend, config.*)
     * @param maxLength  the longest sequence to generate
     */
    public FuzzCampaign(PairRun pair, JournalHeader baseHeader, int maxLength) {
        this.pair = pair;
        this.baseHeader = baseHeader;
        this.maxLength = maxLength;
    }

    /** One minimal failing case. */
    public record Finding(Path file, List<FuzzCall> calls, Divergence divergence) {
    }

    /**
     * What a campaign did.
     *
     * @param digest a hash of every generated sequence, in order: equal for equal runs, so a seed's
     *               reproducibility can be checked
     */
    public record Summary(long sequences, long calls, List<Finding> findings, long seed, long digest) {
    }

    /**
     * Runs until {@code budget} has passed or {@code maxSequences} were tried.
     *
     * @param outDir    where minimal cases go, created if needed
     * @param progress  gets a line per finding
     */
    public Summary run(long seed, Duration budget, long maxSequences, Path outDir, Consumer<String> progress)
            throws IOException {
        Files.createDirectories(outDir);
        long deadline = System.nanoTime() + budget.toNanos();
        Random random = new Random(seed);
        List<Finding> findings = new ArrayList<>();
        Set<String> seenSignatures = new HashSet<>();
        long sequences = 0;
        long calls = 0;
        long digest = 17;
        JqwikSession.start();
        try {
            RandomGenerator<List<FuzzCall>> generator = XenCalls.sequences(maxLength).generator(GEN_SIZE);
            while (sequences < maxSequences && System.nanoTime() < deadline) {
                Shrinkable<List<FuzzCall>> s = generator.next(random);
                sequences++;
                calls += s.value().size();
                digest = digest * 31 + s.value().hashCode();
                PairRun.Result r = pair.run(s.value());
                if (r.firstNew().isEmpty()) {
                    continue;
                }
                Shrinkable<List<FuzzCall>> min = Shrinker.shrink(s, v -> pair.run(v).firstNew().isPresent());
                PairRun.Result minResult = pair.run(min.value());
                Divergence d = minResult.firstNew().orElseThrow();
                // One case per distinct root cause: same call and fields = same finding.
                String signature = d.call() + " " + d.fields();
                if (!seenSignatures.add(signature)) {
                    continue;
                }
                Path file = outDir.resolve(String.format("fuzz-%d-%03d.hct", seed, findings.size() + 1));
                writeCase(file, minResult, d, seed, sequences);
                findings.add(new Finding(file, min.value(), d));
                progress.accept(String.format("new divergence: %s (%s) after %d sequences -> %s (%d calls)",
                        d.call(), String.join(",", d.fields().stream().map(f -> f.reportName()).sorted().toList()),
                        sequences, file, min.value().size()));
            }
        } finally {
            JqwikSession.finish();
        }
        return new Summary(sequences, calls, findings, seed, digest);
    }

    private void writeCase(Path file, PairRun.Result result, Divergence d, long seed, long sequence) throws IOException {
        JournalHeader h = baseHeader
                .with(JournalHeader.GUEST, "fuzz")
                .with(JournalHeader.EXPECT, "agree")
                .with("fuzz.seed", Long.toString(seed))
                .with("fuzz.sequence", Long.toString(sequence))
                .with("fuzz.finding", d.call() + " differs in "
                        + String.join(",", d.fields().stream().map(f -> f.reportName()).sorted().toList())
                        + " at seq " + d.seq() + "; this case fails until the models agree");
        try (HctWriter w = HctWriter.create(file, h, true)) {
            result.exchanges().forEach(w::append);
        }
    }
}
