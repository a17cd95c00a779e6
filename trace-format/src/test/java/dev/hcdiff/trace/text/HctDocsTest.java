package dev.hcdiff.trace.text;

import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The example in docs/hct.md is a valid trace and says what the page says it does. */
class HctDocsTest {

    private static String example() throws IOException {
        Path root = Path.of(System.getProperty("hcdiff.repo.root", ".."));
        String doc = Files.readString(root.resolve("docs/hct.md"));
        int section = doc.indexOf("## An example");
        int start = doc.indexOf("```\n", section) + 4;
        return doc.substring(start, doc.indexOf("```", start));
    }

    @Test
    void theDocumentedExampleReadsAsACompleteTrace() throws IOException {
        try (HctReader r = HctReader.ofText(example(), "docs/hct.md")) {
            assertEquals("agree", r.header().get("expect"));
            List<TraceRecord> records = r.readAll();
            assertEquals(5, records.size());
            assertTrue(r.complete());
            Exchange console = (Exchange) records.get(2);
            assertArrayEquals("Hello\n".getBytes(StandardCharsets.US_ASCII), console.observation().console());
            assertEquals(0, ((Exchange) records.get(3)).observation().shutdown()); // SHUTDOWN_poweroff
            assertEquals(GuestStop.StopReason.SHUTDOWN, ((GuestStop) records.get(4)).reason());
            // the writer gives back the example's record lines
            String written = HctWriter.toText(r.header(), records);
            for (String line : example().lines().filter(l -> l.startsWith("@") || l.startsWith("  ")).toList()) {
                assertTrue(written.lines().anyMatch(line::equals), "written text lacks: " + line);
            }
        }
    }
}
