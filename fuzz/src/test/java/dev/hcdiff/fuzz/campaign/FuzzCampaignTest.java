package dev.hcdiff.fuzz.campaign;

import dev.hcdiff.fuzz.PairRun;
import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.SortedMap;
import java.util.TreeMap;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FuzzCampaignTest {

    /**
     * A deliberately broken translation: the real adapter, except that EVTCHNOP_close answers
     * one more than it should. The campaign must find it and shrink it to the one call.
     */
    private static Backend brokenClose() {
        Backend real = Backends.create("xen-on-hyperv", new TreeMap<>());
        return new Backend() {
            // The adapter's name, so the adapter's known gaps (the catalog is per pair) still excuse
            // everything but the planted bug.
            public String name() {
                return real.name();
            }

            public SortedMap<String, String> configuration() {
                return real.configuration();
            }

            public Observation serve(GuestRequest r, GuestMemory m, long now) {
                Observation o = real.serve(r, m, now);
                if (CallNames.of(r).equals("event_channel_op/EVTCHNOP_close")) {
                    return Observation.builder().returns(o.result() + 1).build();
                }
                return o;
            }
        };
    }

    @Test
    void aBrokenTranslationIsFoundShrunkToOneCallAndWrittenAsAReplayableCase(@TempDir Path out) throws Exception {
        PairRun pair = new PairRun(() -> Backends.create("xen", new TreeMap<>()), FuzzCampaignTest::brokenClose);
        FuzzCampaign campaign = new FuzzCampaign(pair, JournalHeader.create().with(JournalHeader.BACKEND, "xen"), 20);
        List<String> lines = new ArrayList<>();
        FuzzCampaign.Summary s = campaign.run(7, Duration.ofSeconds(60), 500, out, lines::add);

        assertEquals(1, s.findings().size(), lines.toString());
        FuzzCampaign.Finding f = s.findings().getFirst();
        assertEquals("event_channel_op/EVTCHNOP_close", f.divergence().call());
        // Minimal: a close on its own already diverges, whatever the port.
        assertEquals(1, f.calls().size(), f.calls().toString());
        try (Trace t = Traces.open(f.file())) {
            List<TraceRecord> records = t.readAll();
            assertEquals(1, records.size());
            assertEquals("event_channel_op/EVTCHNOP_close", CallNames.of(((Exchange) records.getFirst()).request()));
            assertEquals("agree", t.header().get(JournalHeader.EXPECT));
            assertEquals("7", t.header().get("fuzz.seed"));
        }
    }

    @Test
    void theSameSeedGeneratesTheSameSequences(@TempDir Path a, @TempDir Path b) throws Exception {
        PairRun pair = new PairRun(() -> Backends.create("xen", new TreeMap<>()),
                () -> Backends.create("xen", new TreeMap<>()));
        FuzzCampaign c = new FuzzCampaign(pair, JournalHeader.create(), 10);
        FuzzCampaign.Summary s1 = c.run(11, Duration.ofSeconds(30), 50, a, x -> { });
        FuzzCampaign.Summary s2 = c.run(11, Duration.ofSeconds(30), 50, b, x -> { });
        FuzzCampaign.Summary other = c.run(12, Duration.ofSeconds(30), 50, b, x -> { });
        assertEquals(50, s1.sequences());
        assertEquals(s1.calls(), s2.calls());
        assertEquals(s1.digest(), s2.digest(), "same seed, same sequences");
        assertTrue(s1.digest() != other.digest(), "another seed, other sequences");
        assertTrue(s1.findings().isEmpty(), "xen against itself never diverges");
    }
}
