package dev.hcdiff.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hcdiff.oracle.coverage.AbiCoverage;
import dev.hcdiff.oracle.coverage.AbiCoverage.Row;
import dev.hcdiff.oracle.coverage.AbiCoverage.Table;
import dev.hcdiff.oracle.coverage.CoverageReport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code hcdiff abi}: how each translating backend realises each call of the guest's ABI, read
 * from the {@code @Covers} declarations on the methods that serve them ({@link AbiCoverage}).
 */
@Command(name = "abi",
        usageHelpAutoWidth = true,
        header = "Show how the translating backends realise each guest-ABI call (mapped, emulated or a gap).",
        description = {
                "Two tables. Xen on Hyper-V (xen-on-hyperv): every Xen hypercall and sub-op the reference Xen model implements, with how the adapter serves it on the Hyper-V model. Hyper-V on Xen (hyperv-on-xen): every Hyper-V hypercall and synthetic MSR, with how Xen's viridian realises it. Each row says what realises the call (via) and, for a gap, the known-divergence id that explains it; counts per realisation close each table.",
                "",
                "Realisations:",
                "  mapped    served by issuing the other hypervisor's calls or MSR accesses (each one is in the trail)",
                "  emulated  answered from state the translating backend keeps itself (port table, shared_info mirror, adapter constants), as the guest's hypervisor would answer",
                "  gap       cannot be faithful: a known divergence, whose catalog id says why and which fields differ",
                "  uncovered no declaration: the backend does not say how it serves the call",
                "",
                "docs/abi-coverage.md is the output of --markdown; regenerate it with: " + CoverageReport.REGENERATE,
                "",
                "Examples:",
                "  hcdiff abi",
                "  hcdiff abi --markdown > docs/abi-coverage.md",
                "  hcdiff abi --json - | jq '.tables[0].counts'",
        })
final class AbiCommand implements Callable<Integer> {

    @Option(names = "--markdown", description = "Print the Markdown document (docs/abi-coverage.md) instead of the text tables.")
    boolean markdown;

    @Option(names = "--json", paramLabel = "FILE",
            description = "Also write the tables as JSON to FILE ('-' for stdout: then stdout is the JSON alone).")
    Path json;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws IOException {
        boolean jsonToStdout = JsonReportOption.isStdout(json);
        if (jsonToStdout && markdown) {
            throw CliException.usage("--json - and --markdown both want stdout; write the JSON to a file instead");
        }
        JsonReportOption.checkTarget(json);
        AbiCoverage coverage = AbiCoverage.read();
        PrintWriter out = spec.commandLine().getOut();
        if (jsonToStdout) {
            out.print(json(coverage));
            out.flush();
            return ExitCodes.OK;
        }
        if (json != null) {
            try (OutputStream os = Files.newOutputStream(json)) {
                os.write(json(coverage).getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        out.print(markdown ? CoverageReport.markdown(coverage) : CoverageReport.text(coverage));
        out.flush();
        return ExitCodes.OK;
    }

    /** The tables as JSON: per direction its backend, counts and rows (gap ids as a list), then the problems. */
    static String json(AbiCoverage coverage) throws IOException {
        List<Object> tables = new ArrayList<>();
        for (Table t : coverage.tables()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("direction", t.direction().backend());
            m.put("title", t.direction().title());
            m.put("backendPresent", t.backendPresent());
            Map<String, Object> counts = new LinkedHashMap<>();
            counts.put("mapped", t.counts().mapped());
            counts.put("emulated", t.counts().emulated());
            counts.put("gap", t.counts().gap());
            counts.put("uncovered", t.counts().uncovered());
            counts.put("total", t.counts().total());
            m.put("counts", counts);
            List<Object> rows = new ArrayList<>();
            for (Row r : t.rows()) {
                Map<String, Object> row = new LinkedHashMap<>();
                row.put("call", r.call());
                row.put("group", r.group());
                row.put("number", r.number());
                row.put("realisation", r.status().label());
                row.put("via", r.via());
                row.put("gaps", AbiCoverage.gapIds(r.gap()));
                row.put("servedBy", r.servedBy());
                row.put("note", r.note());
                rows.add(row);
            }
            m.put("rows", rows);
            m.put("missingClasses", t.missing());
            tables.add(m);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("tables", tables);
        doc.put("problems", coverage.problems());
        return new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValueAsString(doc) + "\n";
    }
}
