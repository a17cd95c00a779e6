package dev.hcdiff.cli;

import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;

/**
 * {@code --json FILE|-}: a comparing command's report as JSON besides the human one (a mixin of
 * {@code diff} and {@code replay}). With {@code -}, stdout is the JSON alone, so scripts can pipe
 * it, and the human report goes to stderr.
 */
final class JsonReportOption {

    /** What {@code --json} takes to mean stdout. */
    private static final String STDOUT = "-";

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the report as JSON to FILE ('-' for stdout).")
    Path json;

    /** Writes one report as JSON. */
    @FunctionalInterface
    interface JsonWriter {
        void write(OutputStream out) throws IOException;
    }

    /** True when {@code --json -} asks for the JSON on stdout. */
    static boolean isStdout(Path json) {
        return json != null && json.toString().equals(STDOUT);
    }

    /**
     * Checks a {@code --json} file before any work is done (nothing to check for none or stdout).
     *
     * @throws CliException a usage error when the file cannot be created
     */
    static void checkTarget(Path json) {
        if (json != null && !isStdout(json)) {
            OutputTargets.checkFile(json, "--json");
        }
    }

    /** {@link #checkTarget(Path)} for this option. */
    void checkTarget() {
        checkTarget(json);
    }

    /**
     * Prints the human report on stdout (on stderr with {@code --json -}), then the JSON where
     * {@code --json} says, if anywhere.
     */
    void print(CommandSpec spec, Consumer<PrintStream> humanReport, JsonWriter jsonReport) throws IOException {
        boolean jsonToStdout = isStdout(json);
        PrintStream stdout = new PrintStream(new WriterOutputStream(spec.commandLine().getOut()), true);
        PrintStream report = jsonToStdout ? new PrintStream(new WriterOutputStream(spec.commandLine().getErr()), true) : stdout;
        humanReport.accept(report);
        report.flush();
        if (jsonToStdout) {
            jsonReport.write(stdout);
            stdout.println();
        } else if (json != null) {
            try (OutputStream os = Files.newOutputStream(json)) {
                jsonReport.write(os);
            }
        }
        stdout.flush();
    }
}
