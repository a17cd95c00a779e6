package dev.hcdiff.corpora;

import dev.hcdiff.replayer.lockstep.LockstepReplay;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.record.JournalHeader;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/**
 * Replays every regression case under {@code corpora/cases/} and checks the outcome its header
 * promises: {@code expect agree} (no divergence of any kind) or {@code expect known:<id>,<id>}
 * (no new divergence, and exactly that set of catalog entries seen, counting every entry of a
 * divergence known field by field). A case that stops matching its
 * expectation, either way, fails: a fixed bug must update its case, a new gap must be catalogued.
 */
class CorporaReplayTest {

    static final Path CASES = Path.of("cases");

    static List<Path> cases() throws IOException {
        try (Stream<Path> s = Files.walk(CASES)) {
            return s.filter(p -> p.toString().endsWith(Traces.HCT_SUFFIX)).sorted().toList();
        }
    }

    @Test
    void theCorpusIsNotEmpty() throws IOException {
        assertFalse(cases().isEmpty(), "no .hct cases under " + CASES.toAbsolutePath());
    }

    @TestFactory
    Stream<DynamicTest> everyCaseReplaysAsItsHeaderExpects() throws IOException {
        return cases().stream().map(p -> DynamicTest.dynamicTest(CASES.relativize(p).toString(), () -> replay(p)));
    }

    private static void replay(Path file) {
        ReplayOutcome o = LockstepReplay.replay(file);
        String expect = o.header().get(JournalHeader.EXPECT);
        assertNotNull(expect, file + " has no 'expect' line");
        assertEquals(0, o.newDivergences(), () -> file + ": new divergence " + describeFirst(o));
        if (expect.equals("agree")) {
            assertEquals(List.of(), o.knownIds(), file + ": expected full agreement");
            assertEquals(0, o.diverging().size(), file + ": expected full agreement");
        } else {
            assertEquals(true, expect.startsWith("known:"), file + ": bad expect '" + expect + "'");
            // The set of catalog ids seen: every entry of each known divergence, so one explained
            // field by field (Divergence.knownAll) contributes all of its entries.
            TreeSet<String> want = new TreeSet<>(Arrays.asList(expect.substring("known:".length()).split(",")));
            assertEquals(want, new TreeSet<>(o.knownIds()), file + ": known gaps seen");
        }
    }

    private static String describeFirst(ReplayOutcome o) {
        return o.diverging().stream().filter(d -> d.isNew()).findFirst()
                .map(d -> "@" + d.primary().seq() + " " + d.primary().call() + " " + d.primary().kind().reportName()
                        + " " + d.primary().fields() + (d.primary().error() != null ? " " + d.primary().error() : ""))
                .orElse("");
    }
}
