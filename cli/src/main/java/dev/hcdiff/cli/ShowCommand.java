package dev.hcdiff.cli;

import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.text.HctWriter;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

import java.io.FilterWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.Writer;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code hcdiff show}: a trace as text. */
@Command(name = "show",
        sortOptions = false,
        usageHelpAutoWidth = true,
        header = "Print a trace in its text form, or a count of its calls.",
        description = {
                "Prints the header and every record of a journal or .hct file in the .hct text form (docs/hct.md): decoded call names, arguments, the bytes each call read and wrote, what the guest observed. --summary prints one line per call name with its count instead.",
                "",
                "Examples:",
                "  hcdiff show /tmp/hello.journal | less",
                "  hcdiff show --summary corpora/cases/hello/hello.hct",
        })
final class ShowCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TRACE", description = "A journal directory or a .hct file.")
    Path trace;

    @Option(names = "--summary", description = "Print the count of each call instead of every record.")
    boolean summary;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        try (Trace t = Traces.open(trace)) {
            if (summary) {
                Map<String, Long> counts = new LinkedHashMap<>();
                long records = 0;
                for (TraceRecord r : t) {
                    records++;
                    if (r instanceof Exchange e) {
                        counts.merge(CallNames.of(e.request()), 1L, Long::sum);
                    }
                }
                out.printf("%s: %d records, guest %s, served by %s%s%n", trace, records,
                        t.header().get("guest"), t.header().get("backend"), t.complete() ? "" : " (incomplete: no stop record)");
                counts.forEach((call, n) -> out.printf("%8d  %s%n", n, call));
            } else {
                try (HctWriter w = new HctWriter(new NonClosingWriter(out), t.header())) {
                    for (TraceRecord r : t) {
                        w.append(r);
                    }
                }
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    /** Lets the text writer close its output without closing the command's stdout. */
    private static final class NonClosingWriter extends FilterWriter {
        NonClosingWriter(Writer out) {
            super(out);
        }

        @Override
        public void close() throws IOException {
            flush();
        }
    }
}
