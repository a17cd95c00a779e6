package dev.hcdiff.cli;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.replayer.lockstep.LockstepReplay;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.replayer.report.ConsoleReport;
import dev.hcdiff.replayer.report.HgrmReport;
import dev.hcdiff.replayer.report.JsonReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hcdiff replay}: a trace through two personalities in lockstep. */
@Command(name = "replay",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Replay a trace through the reference model and the translated one, and compare.",
        description = {
                "Feeds every recorded exchange (hypercall, CPUID answer, MSR and port access) to two personalities in lockstep, each from the state the earlier exchanges left it in and from the guest bytes the recording captured, and compares what the guest would observe: the models with each other ('models'), and the one that served the recording with what the guest was told ('recorded', a fidelity check). Differences the two ABIs cannot avoid are matched against the known-divergence catalog and reported as 'known'; the rest are 'new' and fail the run (exit code 1).",
                "",
                "The pair is chosen from the trace: Xen traces replay through 'xen' (reference) and 'xen-on-hyperv' (the Xen-to-Hyper-V adapter on the Hyper-V model), each configured as the trace's header says. --pair names another; the report's first line names the pair used.",
                "",
                "Examples:",
                "  hcdiff replay /tmp/hello.journal",
                "  hcdiff replay corpora/cases/hello/hello.hct --json out.json --hgrm out/hgrm",
                "  hcdiff replay --pair xen,xen-on-hyperv /tmp/adapter.journal",
        })
final class ReplayCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TRACE", description = "A journal directory (from 'hcdiff record') or a text trace (*.hct).")
    Path trace;

    @Option(names = "--pair", paramLabel = "REF,TRANSLATED",
            description = "Replay through these two personalities instead of the pair the trace implies, e.g. 'xen,xen-on-hyperv' or 'hyperv,hyperv-on-xen'; each is configured from the header and gets the requests its guest would have made to it.")
    String pair;

    @Mixin
    JsonReportOption json;

    @Option(names = "--hgrm", paramLabel = "DIR",
            description = "Also write HdrHistogram percentile files, one per call and personality, into DIR (values in ns).")
    Path hgrm;

    @Mixin
    QuietOption quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        json.checkTarget();
        if (hgrm != null) {
            OutputTargets.checkDirectory(hgrm, "--hgrm");
        }
        String[] names = pairNames(pair);
        ReplayOutcome outcome;
        try {
            outcome = LockstepReplay.replay(trace, names[0], names[1]);
        } catch (Backends.UnservableTrace e) {
            throw CliException.usage("--pair: " + e.getMessage());
        }
        json.print(spec, quiet.choose(
                report -> report.printf("%s: %d new, %d known, %d agree%n", trace, outcome.newDivergences(),
                        outcome.knownDivergences(), outcome.agree()),
                report -> ConsoleReport.print(outcome, report)),
                os -> JsonReport.write(outcome, os));
        if (hgrm != null) {
            HgrmReport.write(outcome, hgrm);
        }
        return outcome.newDivergences() > 0 ? ExitCodes.FINDING : ExitCodes.OK;
    }

    /**
     * {@code --pair REF,TRANSLATED} as two names, {null, null} without it.
     *
     * @throws CliException a usage error listing the known names
     */
    static String[] pairNames(String pair) {
        if (pair == null) {
            return new String[]{null, null};
        }
        String[] names = pair.split(",", -1);
        String known = " (known: " + String.join(", ", Backends.names()) + ")";
        if (names.length != 2 || names[0].isBlank() || names[1].isBlank()) {
            throw CliException.usage("--pair takes two personalities, REF,TRANSLATED, got '" + pair + "'" + known);
        }
        for (String n : names) {
            if (!Backends.names().contains(n.strip())) {
                throw CliException.usage("--pair: unknown backend '" + n.strip() + "'" + known);
            }
        }
        return new String[]{names[0].strip(), names[1].strip()};
    }
}
