package dev.hcdiff.cli;

import dev.hcdiff.trace.Traces;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.IOException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Path;
import java.util.concurrent.Callable;

/** {@code hcdiff convert}: journal ↔ text, losslessly. */
@Command(name = "convert",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Convert a trace between the journal and the .hct text form, losslessly.",
        description = {
                "The direction follows the target: a path ending in .hct gets the text form, anything else a journal directory. Converting back gives the same records, byte for byte.",
                "",
                "Examples:",
                "  hcdiff convert /tmp/hello.journal corpora/cases/hello/hello.hct",
                "  hcdiff convert corpora/cases/hello/hello.hct /tmp/hello-again.journal",
        })
final class ConvertCommand implements Callable<Integer> {

    @Parameters(index = "0", paramLabel = "FROM", description = "A journal directory or a .hct file.")
    Path from;

    @Parameters(index = "1", paramLabel = "TO", description = "A .hct file or a journal directory to create.")
    Path to;

    @Option(names = "--force", description = "Replace TO if it exists.")
    boolean force;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        if (to.toString().endsWith(".hct")) {
            OutputTargets.checkFile(to, "TO");
        } else {
            OutputTargets.checkDirectory(to, "TO");
        }
        long n;
        try {
            n = Traces.convert(from, to, force);
        } catch (FileAlreadyExistsException e) {
            throw CliException.usage(to + " already exists; choose another target or add --force");
        } catch (IllegalArgumentException e) {
            throw CliException.usage(e.getMessage()); // the target is the source
        }
        spec.commandLine().getOut().printf("converted %d records: %s -> %s%n", n, from, to);
        return ExitCodes.OK;
    }
}
