package dev.hcdiff.cli;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.recorder.Recorder;
import dev.hcdiff.recorder.kvm.KvmUnavailable;
import dev.hcdiff.replayer.lockstep.LockstepReplay;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.replayer.report.ConsoleReport;
import picocli.CommandLine.Command;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.concurrent.Callable;
import java.util.stream.Stream;

/** {@code hcdiff demo}: record the built-in hello guest, replay it, print the summary. */
@Command(name = "demo",
        usageHelpAutoWidth = true,
        header = "Record the built-in 'hello' guest on KVM, replay it through both models, summarise.",
        description = {
                "The whole pipeline in one command: boots the 'hello' guest (C, built with the project) under /dev/kvm served by the reference Xen model, records it into a temporary journal, replays the journal through the reference and the Xen-to-Hyper-V adapter, and prints the summary. Where /dev/kvm is missing it says so and replays the recording shipped in corpora/ instead. Exit code as for 'replay'.",
        })
final class DemoCommand implements Callable<Integer> {

    /** The shipped recording, copied into the jar from corpora/cases at build time. */
    static final String SHIPPED = "/corpora/hello/hello.hct";

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        PrintWriter stdout = spec.commandLine().getOut();
        Path dir = Files.createTempDirectory("hcdiff-demo-");
        try {
            Path trace = recordHello(dir.resolve("hello.journal"), stdout);
            if (trace == null) {
                trace = dir.resolve("hello.hct");
                try (InputStream in = DemoCommand.class.getResourceAsStream(SHIPPED)) {
                    if (in == null) {
                        throw new IllegalStateException("the shipped recording " + SHIPPED + " is missing from the jar");
                    }
                    Files.copy(in, trace);
                }
            }
            stdout.println();
            stdout.printf("== replay through xen and xen-on-hyperv ==%n");
            stdout.flush();
            ReplayOutcome outcome = LockstepReplay.replay(trace);
            PrintStream out = new PrintStream(new WriterOutputStream(stdout), true);
            ConsoleReport.print(outcome, out);
            out.flush();
            return outcome.newDivergences() > 0 ? ExitCodes.FINDING : ExitCodes.OK;
        } finally {
            deleteTree(dir);
        }
    }

    /** Records hello into {@code journal}; null (after one line saying why) when KVM is not usable here. */
    private static Path recordHello(Path journal, PrintWriter stdout) throws IOException {
        Recorder.RecordOptions options = RecordCommand.options("hello", 0, 64, 60, 2000);
        Backend xen;
        try {
            xen = RecordCommand.backend("xen");
            Recorder.header(options, xen);
        } catch (KvmUnavailable e) {
            stdout.printf("no usable /dev/kvm here (%s): replaying the shipped recording corpora/cases/hello/hello.hct instead%n",
                    e.getMessage());
            return null;
        }
        stdout.printf("== recording the built-in 'hello' guest on /dev/kvm, served by the reference Xen model ==%n");
        stdout.flush();
        Recorder.RecordResult r = RecordCommand.record(options, xen, journal, false, line -> {
            stdout.println("guest| " + line);
            stdout.flush();
        });
        stdout.printf("recorded %d records (%d hypercalls); guest stopped: %s (%s)%n", r.records(), r.hypercalls(),
                r.stop().reason().textName(), r.stop().detail());
        return journal;
    }

    private static void deleteTree(Path dir) throws IOException {
        try (Stream<Path> s = Files.walk(dir)) {
            for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(p);
            }
        }
    }
}
