package dev.hcdiff.cli;

import picocli.CommandLine.Option;

import java.io.PrintStream;
import java.util.function.Consumer;

/** {@code -q/--quiet}: a comparing command prints its verdict line alone (a mixin of {@code diff} and {@code replay}). */
final class QuietOption {

    @Option(names = {"-q", "--quiet"}, description = "Print only the verdict line.")
    boolean quiet;

    /** The human report this option asks for: the verdict line when quiet, else the full report. */
    Consumer<PrintStream> choose(Consumer<PrintStream> verdictLine, Consumer<PrintStream> fullReport) {
        return quiet ? verdictLine : fullReport;
    }
}
