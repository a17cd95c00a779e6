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
        header = "List a trace's calls for a person to read, or print its text form, or count its calls.",
        description = {
                "By default prints one line per record of a journal or .hct file: its sequence number, the guest's virtual time, the call name (event_channel_op/EVTCHNOP_send, cpuid/0x40000000, port/0xcf8, mmio/0xfee000f0), its arguments, and the result with the errno's name (-EINVAL (-22)), then what else the guest observed (bytes written, ports made pending, blocking, shutdown). The console lines the guest printed appear once each, as 'console| TEXT', at the record of their first byte. The last line is why the guest stopped.",
                "",
                "--hct prints the lossless .hct text form instead (docs/hct.md): the header and every record with the bytes each call read and wrote; 'hcdiff convert' turns it back into a journal. --summary prints one line per call name with its count.",
                "",
                "Examples:",
                "  hcdiff show /tmp/hvmloader.journal | less",
                "  hcdiff show --hct /tmp/hello.journal > hello.hct",
                "  hcdiff show --summary corpora/cases/hello/hello.hct",
        })
final class ShowCommand implements Callable<Integer> {

    @Parameters(paramLabel = "TRACE", description = "A journal directory or a .hct file.")
    Path trace;

    @Option(names = "--summary", description = "Print the count of each call instead of every record.")
    boolean summary;

    @Option(names = "--hct", description = "Print the lossless .hct text form (header, every record, every byte).")
    boolean hct;

    @picocli.CommandLine.Spec
    picocli.CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        if (summary && hct) {
            throw CliException.usage("--summary and --hct are two different outputs: choose one");
        }
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
            } else if (!hct) {
                TraceListing listing = new TraceListing(out);
                listing.header(trace.toString(), t.header());
                for (TraceRecord r : t) {
                    listing.append(r);
                }
                listing.finish();
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
