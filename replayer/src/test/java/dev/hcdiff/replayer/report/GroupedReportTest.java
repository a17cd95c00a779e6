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
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A replay with one root cause repeated: both reports lead with the first divergence and give the
 * rest as one line per cause, with its count and first and last sequence number.
 */
class GroupedReportTest {

    private static Backend answering(String name, long rax) {
        return ScriptedBackend.xenVersionAnswering(name, rax);
    }

    /** sched_op at even seqs (agrees), xen_version at odd seqs 1, 3, 5, 7 (the models differ). */
    private static ReplayOutcome outcome() {
        List<TraceRecord> trace = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            long call = i % 2 == 1 ? 17 : 29;
            trace.add(new Exchange(i, i, 10, new Hypercall(0, Abi.XEN64, call, new long[6]), List.of(),
                    Observation.builder().returns(call == 17 ? 1 : 0).build()));
        }
        return new LockstepReplay(answering("xen", 1), answering("xen-on-hyperv", 2))
                .run(JournalHeader.create().with(JournalHeader.BACKEND, "xen"), trace.iterator());
    }

    @Test
    void theConsoleReportNamesThePairLeadsWithTheFirstDivergenceAndGroupsTheRest() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleReport.print(outcome(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.lines().findFirst().orElseThrow().contains("through the pair xen,xen-on-hyperv"), out);
        int first = out.indexOf("first new divergence: @1 ");
        int grouped = out.indexOf("divergences, grouped");
        assertTrue(first >= 0 && grouped > first, out);
        List<String> groupLines = out.substring(grouped).lines().skip(1).takeWhile(l -> !l.isBlank()).toList();
        assertEquals(1, groupLines.size(), "one root cause, one line: " + groupLines);
        String line = groupLines.getFirst();
        assertTrue(line.contains("NEW   xen_version/XENVER_version"), line);
        assertTrue(line.contains("×4"), line);
        assertTrue(line.contains("@1..@7"), line);
    }

    @Test
    void theJsonReportLeadsWithTheFirstDivergenceAndItsGroups() throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonReport.write(outcome(), out);
        JsonNode j = new ObjectMapper().readTree(out.toByteArray());
        assertEquals(1, j.get("first").get("seq").asLong());
        assertEquals(1, j.get("groups").size());
        JsonNode g = j.get("groups").get(0);
        assertEquals(4, g.get("count").asLong());
        assertEquals(1, g.get("first_seq").asLong());
        assertEquals(7, g.get("last_seq").asLong());
        assertEquals("models", g.get("kind").asText());
        assertTrue(g.get("known").isNull());
        assertEquals(4, j.get("divergences").size(), "each diverging record is still listed");
    }
}
