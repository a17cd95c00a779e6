package dev.hcdiff.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;

/** The {@code hcdiff} command: record, replay and compare hypercall traces. */
@Command(name = "hcdiff",
        // INHERIT: every subcommand gets --help/--version, the exit code list and the footer.
        scope = ScopeType.INHERIT,
        mixinStandardHelpOptions = true,
        versionProvider = VersionProvider.class,
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Record, replay and differentially test hypercall traces.",
        description = {
                "hcdiff runs real guests under KVM and records every hypercall they make, with the guest memory each call read and wrote, into a Chronicle Queue journal. It replays a journal (or a text trace, *.hct) through a reference model and a translating one, and names every place where what the guest would observe differs: a Xen guest through the reference Xen model and a Xen-to-Hyper-V adapter running on a Hyper-V (TLFS) model; a Hyper-V guest through the Hyper-V model and Hyper-V as Xen's viridian serves it.",
                "",
                "Record the same guest under two backends and 'hcdiff diff' shows where its own path changed; 'hcdiff abi' shows how each call is realised in the other ABI.",
                "",
                "Start with 'hcdiff demo'; 'hcdiff guests list' shows the guests it can record. Every subcommand has --help.",
        },
        subcommands = {
                DemoCommand.class,
                RecordCommand.class,
                ReplayCommand.class,
                DiffCommand.class,
                ShowCommand.class,
                ConvertCommand.class,
                FuzzCommand.class,
                GuestsCommand.class,
                AbiCommand.class,
                CommandLine.HelpCommand.class,
        },
        exitCodeListHeading = "%nExit codes (every command):%n",
        exitCodeList = {
                "0:success; no new divergence",
                "1:a finding: a new divergence, or the recorded guest was stopped by the watchdog, a fault or its budget",
                "2:usage error",
                "3:unreadable or corrupt input",
                "4:environment problem (no /dev/kvm, missing capability or tool, a guest that cannot be downloaded)",
                "70:internal error (a bug: rerun with --debug for the trace)",
        },
        footer = {"", "Documentation: README.md and docs/ in the hcdiff repository."})
public final class HcdiffCommand implements Runnable {

    @Option(names = "--debug", scope = ScopeType.INHERIT,
            description = "Print the full stack trace of an internal error.")
    boolean debug;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required (try 'hcdiff demo')");
    }

    public static void main(String[] args) {
        System.exit(run(args, System.out, System.err));
    }

    /** Runs the CLI with the given streams and returns the exit code (tests call this). */
    public static int run(String[] args, PrintStream out, PrintStream err) {
        PrintWriter errWriter = new PrintWriter(err, true, StandardCharsets.UTF_8);
        try {
            CommandLine cl = new CommandLine(new HcdiffCommand());
            cl.setOut(new PrintWriter(out, true, StandardCharsets.UTF_8));
            cl.setErr(errWriter);
            cl.setParameterExceptionHandler(Errors::onUsageError);
            cl.setExecutionExceptionHandler(Errors::onExecutionError);
            return cl.execute(args);
        } catch (Throwable t) {
            // An Error (out of memory, a linkage problem) escapes picocli's handler: still one line.
            return Errors.onFatal(t, java.util.Arrays.asList(args).contains("--debug"), errWriter);
        }
    }
}
