package dev.hcdiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hcdiff.cli.CliTest.Run;
import dev.hcdiff.oracle.coverage.CoverageReport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/** {@code hcdiff abi}: the coverage tables, the Markdown document and its committed copy, pure JSON. */
class AbiCommandTest {

    /** The committed document, from the cli module's directory (where Surefire runs). */
    static final Path DOC = Path.of("..", "docs", "abi-coverage.md");

    @Test
    void theCommittedDocumentIsTheMarkdownOutput() throws Exception {
        Run r = CliTest.run("abi", "--markdown");
        assertEquals(0, r.code(), r.err());
        if (!Files.isRegularFile(DOC)) {
            fail("docs/abi-coverage.md is missing; generate it from the repository root: " + CoverageReport.REGENERATE);
        }
        String committed = Files.readString(DOC, StandardCharsets.UTF_8);
        if (!committed.equals(r.out())) {
            fail("docs/abi-coverage.md is stale (the @Covers declarations or the reference changed); regenerate it "
                    + "from the repository root: " + CoverageReport.REGENERATE + firstDifference(committed, r.out()));
        }
    }

    @Test
    void theTextTablesNameEachCallsRealisationAndCloseWithCounts() {
        Run r = CliTest.run("abi");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("Xen on Hyper-V (xen-on-hyperv)"), r.out());
        assertTrue(r.out().contains("Hyper-V on Xen (hyperv-on-xen)"), r.out());
        assertTrue(r.out().lines().anyMatch(l -> l.contains("event_channel_op/EVTCHNOP_send") && l.contains("mapped")
                && l.contains("HvCallSignalEvent")), "send's row");
        assertTrue(r.out().lines().anyMatch(l -> l.contains("console_io/CONSOLEIO_write") && l.contains("gap")
                && l.contains("[console-io-adapter-log]")), "console_io write's row");
        assertEquals(2, r.out().lines().filter(l -> l.strip().matches(
                "mapped \\d+, emulated \\d+, gap \\d+, uncovered \\d+ \\(\\d+ rows\\)")).count(), "counts for each table");
    }

    @Test
    void jsonToStdoutIsPureJsonWithCountsThatAddUp() throws Exception {
        Run r = CliTest.run("abi", "--json", "-");
        assertEquals(0, r.code(), r.err());
        JsonNode doc = new ObjectMapper().readTree(r.out());
        assertEquals(2, doc.get("tables").size());
        for (JsonNode t : doc.get("tables")) {
            JsonNode c = t.get("counts");
            assertEquals(t.get("rows").size(), c.get("total").asInt());
            assertEquals(c.get("total").asInt(), c.get("mapped").asInt() + c.get("emulated").asInt()
                    + c.get("gap").asInt() + c.get("uncovered").asInt());
        }
        JsonNode xen = doc.get("tables").get(0);
        assertEquals("xen-on-hyperv", xen.get("direction").asText());
        assertEquals(0, xen.get("counts").get("uncovered").asInt(), "every reference call is covered");
        assertTrue(doc.get("problems").isEmpty(), doc.get("problems").toString());
    }

    @Test
    void jsonToAFileKeepsTheTextOnStdout(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("abi.json");
        Run r = CliTest.run("abi", "--json", out.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().startsWith("Xen on Hyper-V"), r.out());
        assertEquals("xen-on-hyperv", new ObjectMapper().readTree(out.toFile()).get("tables").get(0).get("direction").asText());
    }

    @Test
    void jsonToStdoutWithMarkdownIsAUsageError() {
        Run r = CliTest.run("abi", "--json", "-", "--markdown");
        assertEquals(2, r.code());
        CliTest.assertOneLineError(r);
    }

    @Test
    void helpExplainsTheThreeRealisationsAsTheDocumentDoes() {
        Run r = CliTest.run("abi", "--help");
        assertEquals(0, r.code(), r.err());
        String help = r.out().replaceAll("\\s+", " ");
        for (String line : CoverageReport.legend()) {
            assertTrue(help.contains(line.replaceAll("\\s+", " ")), "help lacks: " + line);
        }
    }

    private static String firstDifference(String committed, String generated) {
        String[] a = committed.split("\n", -1);
        String[] b = generated.split("\n", -1);
        for (int i = 0; i < Math.max(a.length, b.length); i++) {
            String x = i < a.length ? a[i] : "<end of file>";
            String y = i < b.length ? b[i] : "<end of output>";
            if (!x.equals(y)) {
                return "\nfirst difference at line " + (i + 1) + ":\n  committed: " + x + "\n  generated: " + y;
            }
        }
        return "";
    }
}
