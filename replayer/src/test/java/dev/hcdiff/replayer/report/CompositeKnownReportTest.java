package dev.hcdiff.replayer.report;

import dev.hcdiff.replayer.ScriptedBackend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.replayer.lockstep.LockstepReplay;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A divergence known field by field (KnownDivergences.matchAll) is reported with every entry that
 * explains it: the grouped line, the verdict's ids and the JSON. The case is hv-hello's timer
 * expiry in miniature: Xen's reference counter a tick slow (viridian/time.c trc_val()) and no SINT
 * on a disabled vLAPIC (synic.c viridian_synic_deliver_timer_msg()).
 */
class CompositeKnownReportTest {

    /** HV_X64_MSR_TIME_REF_COUNT (TLFS App. C). */
    private static final MsrRead POLL = new MsrRead(0, 0x40000020);
    private static final long COUNTER = 0x2bcca7;
    private static final Observation HYPERV = Observation.builder().returns(COUNTER)
            .interrupt(new Interrupt(0, 0x41, "sint3")).build();
    private static final Observation VIRIDIAN = Observation.builder().returns(COUNTER - 1).build();
    private static final List<String> IDS = List.of("viridian-reference-counter-tsc-scale",
            "viridian-vlapic-gates-interrupts");

    private static Backend answering(String name, Observation o) {
        return ScriptedBackend.answering(name, (r, m) -> o);
    }

    private static ReplayOutcome outcome() {
        List<TraceRecord> trace = List.of(new Exchange(0, 0, 10, POLL, List.of(), HYPERV));
        return new LockstepReplay(answering("hyperv", HYPERV), answering("hyperv-on-xen", VIRIDIAN))
                .run(JournalHeader.create().with(JournalHeader.BACKEND, "hyperv"), trace.iterator());
    }

    @Test
    void theConsoleReportNamesEveryEntryOfACompositeKnownDivergence() {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ConsoleReport.print(outcome(), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertTrue(out.contains("known " + String.join("+", IDS)), out);
        assertTrue(out.contains("verdict: no new divergence") && out.contains(String.join(", ", IDS)), out);
    }

    @Test
    void theJsonReportListsEveryEntryAndTheOutcomeCountsThemAll() throws Exception {
        ReplayOutcome o = outcome();
        assertEquals(0, o.newDivergences());
        assertEquals(IDS, o.knownIds());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        JsonReport.write(o, out);
        JsonNode j = new ObjectMapper().readTree(out.toByteArray());
        JsonNode d = j.get("divergences").get(0);
        assertEquals(IDS.getFirst(), d.get("known").asText());
        assertEquals(IDS, List.of(d.get("known_all").get(0).asText(), d.get("known_all").get(1).asText()));
        assertEquals(2, j.get("summary").get("known_ids").size());
        assertEquals(2, j.get("groups").get(0).get("known_all").size());
    }
}
