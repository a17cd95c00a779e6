package dev.hcdiff.cli;

import dev.hcdiff.replayer.diff.DiffEngine;
import dev.hcdiff.replayer.diff.DiffJson;
import dev.hcdiff.replayer.diff.DiffOutcome;
import dev.hcdiff.replayer.diff.DiffReport;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hcdiff diff}: two recordings of the same guest, step by step. */
@Command(name = "diff",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Compare two recordings of the same guest, e.g. recorded live under two backends.",
        description = {
                "Aligns the two traces call by call and prints the first divergence: the sequence number in each, the call as 'show' prints it, both results, the fields that differ and, for memory, the offset and bytes of each side. Then every divergence grouped by root cause (one line each, with a count and the first and last sequence numbers), a summary per call (count in A and in B, how many agree, the first divergence) and the verdict.",
                "",
                "Each guest saw its own hypervisor's answers, so its path may change: where one made another call than the other (or stopped), the diff says so once ('from step #N the guest took another path: A made X, B made Y') and counts the rest by call instead of reporting a cascade.",
                "",
                "CPUID answers are matched by leaf, each side's Xen leaves relative to where its guest found Xen: a guest under 'xen-on-hyperv' finds Xen at 0x40000100 (Hyper-V owns 0x40000000), and its requests, the hypercall-page MSR included, are compared as made to A's Xen. What differs only by that move, and other differences the known-divergence catalog explains, are 'known'; the rest are 'new'.",
                "",
                "Example:",
                "  hcdiff record --guest hello --backend xen --out /tmp/xen.journal",
                "  hcdiff record --guest hello --backend xen-on-hyperv --out /tmp/adapter.journal",
                "  hcdiff diff /tmp/xen.journal /tmp/adapter.journal",
                "  hcdiff diff corpora/cases/hello/hello.hct /tmp/adapter.journal --json diff.json",
        },
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {
                "0:the same, or only known divergences",
                "1:a new divergence, or the guest took another path",
                "2:usage error",
                "3:a trace is missing, unreadable or corrupt",
        })
final class DiffCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "A", description = "The first trace: a journal directory or a .hct file.")
    Path a;

    @Parameters(index = "1", paramLabel = "B", description = "The second trace, of the same guest.")
    Path b;

    @Mixin
    JsonReportOption json;

    @Mixin
    QuietOption quiet;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        json.checkTarget();
        DiffOutcome outcome = DiffEngine.diff(a, b);
        json.print(spec, quiet.choose(
                report -> report.printf("%s vs %s: %s%n", a, b, outcome.same() ? "the same"
                        : outcome.newCount() + " new, " + outcome.knownCount() + " known, " + outcome.agree() + " agree"
                        + (outcome.pathChange() != null ? ", another path from step #" + outcome.pathChange().step() : "")),
                report -> DiffReport.print(outcome, report, TraceListing::describe)),
                os -> DiffJson.write(outcome, os));
        return outcome.hasNew() ? ExitCodes.FINDING : ExitCodes.OK;
    }
}
