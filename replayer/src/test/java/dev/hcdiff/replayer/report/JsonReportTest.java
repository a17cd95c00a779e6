package dev.hcdiff.replayer.report;

import dev.hcdiff.replayer.ScriptedBackend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.replayer.lockstep.LockstepReplay;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The JSON report's shape is a CLI contract (issue 2): these keys are what scripts read. */
class JsonReportTest {

    private static Backend answering(String name, long rax) {
        return ScriptedBackend.xenVersionAnswering(name, rax);
    }

    private static ReplayOutcome outcome() {
        List<TraceRecord> trace = List.of(
                new Exchange(0, 0, 10, new Hypercall(0, Abi.XEN64, 17, new long[6]), List.of(), Observation.builder().returns(1).build()),
                new Exchange(1, 0, 10, new Hypercall(0, Abi.XEN64, 29, new long[6]), List.of(), Observation.builder().returns(0).build()));
        return new LockstepReplay(answering("xen", 1), answering("xen-on-hyperv", 2))
                .run(JournalHeader.create().with(JournalHeader.BACKEND, "xen"), trace.iterator());
    }

    @Test
    void carriesTheContractKeys() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonReport.write(outcome(), out);
        JsonNode j = new ObjectMapper().readTree(out.toByteArray());
        assertEquals(2, j.get("records").asLong());
        assertEquals(2, j.get("hypercalls").asLong());
        JsonNode s = j.get("summary");
        assertEquals(1, s.get("agree").asLong());
        assertEquals(1, s.get("diverged").asLong());
        assertEquals(s.get("diverged").asLong(), s.get("new").asLong() + s.get("known").asLong());
        JsonNode d = j.get("divergences").get(0);
        assertEquals(0, d.get("seq").asLong());
        assertEquals(0, d.get("vcpu").asInt());
        assertEquals("xen_version/XENVER_version", d.get("call").asText());
        assertEquals("models", d.get("kind").asText());
        assertEquals("result", d.get("fields").get(0).asText());
        assertTrue(d.get("known").isNull());
        assertEquals(1, d.get("reference").get("returns").get(0).asLong());
        assertEquals(2, d.get("translated").get("returns").get(0).asLong());
        JsonNode lat = j.get("latency_ns").get("xen_version/XENVER_version");
        for (String side : List.of("xen", "xen-on-hyperv")) {
            for (String k : List.of("count", "p50", "p99", "max")) {
                assertTrue(lat.get(side).has(k), side + "." + k);
            }
        }
    }

    @Test
    void hgrmFilesAreWrittenPerCallAndSide(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        int n = HgrmReport.write(outcome(), dir);
        // two calls × (xen, xen-on-hyperv, recorded)
        assertEquals(6, n);
        String text = Files.readString(dir.resolve("xen_version_XENVER_version@xen.hgrm"));
        assertTrue(text.contains("Percentile"), text);
    }
}
