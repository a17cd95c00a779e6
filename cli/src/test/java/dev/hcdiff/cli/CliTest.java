package dev.hcdiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The CLI contract of issue 2: exit codes, one-line errors, the JSON report, the commands end to end. */
class CliTest {

    static final Path HELLO_CASE = Path.of("..", "corpora", "cases", "hello", "hello.hct");

    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int code = HcdiffCommand.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
                new PrintStream(err, true, StandardCharsets.UTF_8));
        return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    static void assertOneLineError(Run r) {
        assertEquals(1, r.err().strip().lines().count(), "one line on stderr, got: " + r.err());
        assertFalse(r.err().contains("\tat "), "no stack trace: " + r.err());
    }

    /** Skips without a usable /dev/kvm, unless HCDIFF_REQUIRE_KVM=1 (CI), where that fails. */
    static void assumeKvm() {
        boolean usable = Files.isReadable(Path.of("/dev/kvm")) && Files.isWritable(Path.of("/dev/kvm"));
        if (!usable && "1".equals(System.getenv("HCDIFF_REQUIRE_KVM"))) {
            throw new AssertionError("/dev/kvm is not usable but HCDIFF_REQUIRE_KVM=1: the live CLI tests must run here");
        }
        Assumptions.assumeTrue(usable,
                "/dev/kvm is not usable here: live CLI tests skipped");
    }

    @Test
    void versionNamesTheBuildAndTheJvm() {
        Run r = run("--version");
        assertEquals(0, r.code());
        assertTrue(r.out().startsWith("hcdiff 0."), r.out());
        assertTrue(r.out().contains("JVM 25"), r.out());
    }

    @Test
    void helpListsTheCommandsAndTheExitCodes() {
        Run r = run("--help");
        assertEquals(0, r.code());
        for (String s : new String[]{"demo", "record", "replay", "show", "convert", "fuzz", "70"}) {
            assertTrue(r.out().contains(s), s + " missing from --help");
        }
    }

    @Test
    void anUnknownOptionIsAUsageErrorOnOneLine() {
        Run r = run("replay", "--frobnicate", "x");
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("--help"), r.err());
    }

    @Test
    void noSubcommandIsAUsageError() {
        assertEquals(ExitCodes.USAGE, run().code());
    }

    @Test
    void aMissingTraceIsBadInputOnOneLine(@TempDir Path dir) {
        Run r = run("replay", dir.resolve("nope.hct").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r);
    }

    @Test
    void aCorruptTextTraceIsBadInputNamingTheLine(@TempDir Path dir) throws Exception {
        Path bad = dir.resolve("bad.hct");
        Files.writeString(bad, "hct 1\nheader backend=xen\n\n@0 t=0 d=0 vcpu=0 xen64 event_chanel_op/4 args=0x4\n");
        Run r = run("replay", bad.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("bad.hct:4"), r.err());
    }

    @Test
    void aDirectoryThatIsNotAJournalIsBadInput(@TempDir Path dir) {
        Run r = run("show", dir.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r);
    }

    @Test
    void replayOfTheShippedHelloCaseHasNoNewDivergenceAndWritesTheJsonContract(@TempDir Path dir) throws Exception {
        Path json = dir.resolve("r.json");
        Path hgrm = dir.resolve("hgrm");
        Run r = run("replay", HELLO_CASE.toString(), "--json", json.toString(), "--hgrm", hgrm.toString());
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("verdict: no new divergence"), r.out());
        JsonNode j = new ObjectMapper().readTree(json.toFile());
        JsonNode s = j.get("summary");
        assertEquals(0, s.get("new").asLong());
        assertEquals(s.get("diverged").asLong(), s.get("new").asLong() + s.get("known").asLong());
        assertTrue(j.get("hypercalls").asLong() >= 10);
        assertTrue(j.get("latency_ns").get("event_channel_op/EVTCHNOP_send").has("xen-on-hyperv"));
        assertTrue(Files.exists(hgrm.resolve("sched_op_SCHEDOP_yield@xen.hgrm")));
    }

    @Test
    void jsonToStdoutIsPureJsonWithTheReportOnStderr() throws Exception {
        Run r = run("replay", HELLO_CASE.toString(), "--json", "-");
        assertEquals(0, r.code(), r.err());
        JsonNode j = new ObjectMapper().readTree(r.out());
        assertEquals(0, j.get("summary").get("new").asLong());
        assertTrue(r.err().contains("verdict:"), r.err());
    }

    @Test
    void aBadOutputTargetIsAUsageErrorBeforeAnyWork(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("plain-file"), "x");
        Run hgrm = run("replay", HELLO_CASE.toString(), "--hgrm", file.toString());
        assertEquals(ExitCodes.USAGE, hgrm.code());
        assertOneLineError(hgrm);
        Run json = run("replay", HELLO_CASE.toString(), "--json", dir.resolve("no/such/dir/r.json").toString());
        assertEquals(ExitCodes.USAGE, json.code());
        assertOneLineError(json);
        Run fuzz = run("fuzz", "--seconds", "1", "--out", file.toString());
        assertEquals(ExitCodes.USAGE, fuzz.code());
        assertOneLineError(fuzz);
        Run onItself = run("convert", HELLO_CASE.toString(), HELLO_CASE.toString(), "--force");
        assertEquals(ExitCodes.USAGE, onItself.code(), onItself.err());
        assertOneLineError(onItself);
        Run convertOntoFile = run("convert", HELLO_CASE.toString(), file.toString());
        assertEquals(ExitCodes.USAGE, convertOntoFile.code(), convertOntoFile.err());
        assertOneLineError(convertOntoFile);
    }

    @Test
    void aHeaderNamingABadConfigurationIsBadInput(@TempDir Path dir) throws Exception {
        Path c = dir.resolve("cfg.hct");
        Files.writeString(c, """
                hct 1
                header backend=xen
                header config.xen.build=banana

                @0 t=0 d=0 vcpu=0 xen64 xen_version/XENVER_version args=0,0
                  returns 0x40011
                """);
        Run r = run("replay", c.toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code(), r.err());
        assertOneLineError(r);
        assertTrue(r.err().contains("xen.build"), r.err());
    }

    @Test
    void anOutOfRangeMemorySizeIsAUsageError(@TempDir Path dir) {
        Run r = run("record", "--guest", "hello", "--memory", "99999999999", "--out", dir.resolve("j").toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("--memory"), r.err());
    }

    @Test
    void aTraceWhoseRecordedAnswerTheModelNoLongerGivesIsAFinding(@TempDir Path dir) throws Exception {
        // xen_version(XENVER_version) recorded as 4.18: the reference answers 0x40011 (xen-abi.md §5.1).
        Path c = dir.resolve("drift.hct");
        Files.writeString(c, """
                hct 1
                header backend=xen
                expect agree

                @0 t=0 d=0 vcpu=0 xen64 xen_version/XENVER_version args=0,0
                  returns 0x40012
                """);
        Run r = run("replay", c.toString());
        assertEquals(ExitCodes.FINDING, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("recorded"), r.out());
    }

    @Test
    void recordShowConvertAndReplayALiveGuest(@TempDir Path dir) throws Exception {
        assumeKvm();
        Path journal = dir.resolve("hello.journal");
        Run rec = run("record", "--guest", "hello", "--out", journal.toString());
        assertEquals(0, rec.code(), rec.err());
        assertTrue(rec.out().contains("guest| hello from hcdiff guest"), rec.out());
        assertTrue(rec.out().contains("(10 hypercalls)"), rec.out());

        Run again = run("record", "--guest", "hello", "--out", journal.toString());
        assertEquals(ExitCodes.USAGE, again.code());
        assertOneLineError(again);
        assertEquals(0, run("record", "--guest", "hello", "--out", journal.toString(), "--force", "-q").code());

        Run show = run("show", "--summary", journal.toString());
        assertEquals(0, show.code(), show.err());
        assertTrue(show.out().contains("event_channel_op/EVTCHNOP_send"), show.out());

        Path text = dir.resolve("hello.hct");
        Path back = dir.resolve("back.journal");
        assertEquals(0, run("convert", journal.toString(), text.toString()).code());
        assertEquals(0, run("convert", text.toString(), back.toString()).code());
        assertEquals(run("show", "--hct", journal.toString()).out(), run("show", "--hct", back.toString()).out());

        Run replay = run("replay", journal.toString());
        assertEquals(0, replay.code(), replay.out());
    }

    @Test
    void anUnknownGuestIsAUsageError(@TempDir Path dir) {
        Run r = run("record", "--guest", "nope", "--out", dir.resolve("j").toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("hello"), "names the built-in guests: " + r.err());
    }

    @Test
    void demoRecordsReplaysAndSummarises() {
        assumeKvm();
        Run r = run("demo");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("guest| hello from hcdiff guest"), r.out());
        assertTrue(r.out().contains("verdict: no new divergence"), r.out());
    }

    @Test
    void theDemoFallbackRecordingShipsInTheJarAndReplaysClean() throws Exception {
        // Where /dev/kvm is missing the demo replays this resource (copied from corpora/cases).
        try (var in = DemoCommand.class.getResourceAsStream(DemoCommand.SHIPPED)) {
            org.junit.jupiter.api.Assertions.assertNotNull(in, DemoCommand.SHIPPED + " is not on the class path");
            Path copy = Files.createTempFile("shipped", ".hct");
            try {
                Files.write(copy, in.readAllBytes());
                assertEquals(0, run("replay", "-q", copy.toString()).code());
            } finally {
                Files.delete(copy);
            }
        }
    }

    @Test
    void aRecordingCarriesTheConfigurationOfBothPersonalities(@TempDir Path dir) throws Exception {
        assumeKvm();
        Path text = dir.resolve("h.hct");
        assertEquals(0, run("record", "--guest", "hello", "--out", text.toString(), "-q").code());
        String t = Files.readString(text);
        assertTrue(t.contains("header config.xen.build=release"), "the served Xen build");
        assertTrue(t.contains("header config.hyperv.personality=tlfs"), "the Hyper-V partition of the pair");
    }

    @Test
    void aShortFuzzCampaignIsReproducibleFromItsSeed(@TempDir Path dir) {
        Run r = run("fuzz", "--seconds", "30", "--seed", "5", "--max-sequences", "200", "--out", dir.resolve("f").toString());
        assertEquals(0, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("seed 5"), r.out());
        assertTrue(r.out().contains("200 sequences"), r.out());
    }
}
