package dev.hcdiff.cli;

import dev.hcdiff.fuzz.PairRun;
import dev.hcdiff.fuzz.campaign.FuzzCampaign;
import dev.hcdiff.oracle.Backends;
import dev.hcdiff.trace.record.JournalHeader;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.TreeMap;
import java.util.concurrent.Callable;

/** {@code hcdiff fuzz}: a time-boxed differential fuzz campaign. */
@Command(name = "fuzz",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Generate hypercall sequences, find new divergences, shrink each to a minimal case.",
        description = {
                "Generates sequences of Xen hypercalls with valid and invalid arguments (jqwik arbitraries), runs each through the reference Xen model and the Xen-to-Hyper-V adapter from the same fresh state, and for every new divergence (one the known-divergence catalog does not explain) shrinks the sequence to a minimal one and writes it to --out as a .hct case that 'hcdiff replay' reproduces. One case per distinct call and field set.",
                "",
                "The run is reproducible from its seed (printed at the start). Exit code 1 when a new divergence was found.",
                "",
                "Examples:",
                "  hcdiff fuzz --seconds 60 --seed 42 --out /tmp/findings",
                "  hcdiff fuzz --seconds 3600 --out nightly/$(date +%F)    (random seed, logged)",
        })
final class FuzzCommand implements Callable<Integer> {

    @Option(names = "--seconds", paramLabel = "N", defaultValue = "30",
            description = "How long to run. Default: ${DEFAULT-VALUE}.")
    long seconds;

    @Option(names = "--seed", paramLabel = "S", description = "Random seed; a random one (printed) by default.")
    Long seed;

    @Option(names = "--out", paramLabel = "DIR", required = true,
            description = "Directory for the minimal failing cases (created if missing).")
    Path out;

    @Option(names = "--max-length", paramLabel = "L", defaultValue = "30",
            description = "Longest call sequence to generate. Default: ${DEFAULT-VALUE}.")
    int maxLength;

    @Option(names = "--max-sequences", paramLabel = "N", defaultValue = "" + Long.MAX_VALUE, hidden = true,
            description = "Stop after N sequences (for tests).")
    long maxSequences;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (seconds <= 0) {
            throw CliException.usage("--seconds must be positive, got " + seconds);
        }
        if (maxLength <= 0) {
            throw CliException.usage("--max-length must be positive, got " + maxLength);
        }
        OutputTargets.checkDirectory(out, "--out");
        long s = seed != null ? seed : new SecureRandom().nextLong();
        PrintWriter stdout = spec.commandLine().getOut();
        stdout.printf("fuzzing xen vs xen-on-hyperv for %ds, seed %d, cases into %s%n", seconds, s, out);
        stdout.flush();

        TreeMap<String, String> config = new TreeMap<>();
        PairRun pair = new PairRun(() -> Backends.create(Backends.XEN, config),
                () -> Backends.create(Backends.XEN_ON_HYPERV, config));
        JournalHeader header = JournalHeader.create()
                .with(JournalHeader.RECORDER, "hcdiff-fuzz " + VersionProvider.version())
                .with(JournalHeader.BACKEND, Backends.XEN);
        header = header.withConfiguration(Backends.create(Backends.XEN, config).configuration())
                .withConfiguration(Backends.create(Backends.XEN_ON_HYPERV, config).configuration());
        FuzzCampaign campaign = new FuzzCampaign(pair, header, maxLength);
        FuzzCampaign.Summary summary = campaign.run(s, Duration.ofSeconds(seconds), maxSequences, out, line -> {
            stdout.println(line);
            stdout.flush();
        });
        stdout.printf("%d sequences (%d calls), %d new divergence(s), seed %d%n", summary.sequences(), summary.calls(),
                summary.findings().size(), s);
        return summary.findings().isEmpty() ? ExitCodes.OK : ExitCodes.FINDING;
    }
}
