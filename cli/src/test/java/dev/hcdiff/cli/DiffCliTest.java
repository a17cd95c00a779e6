package dev.hcdiff.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.recorder.HostFacts;
import dev.hcdiff.recorder.Recorder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.hcdiff.cli.CliTest.HELLO_CASE;
import static dev.hcdiff.cli.CliTest.assertOneLineError;
import static dev.hcdiff.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hcdiff diff}: exit codes, messages, the report's shape, and two live recordings of hello. */
class DiffCliTest {

    @Test
    void aTraceDiffedWithItselfIsTheSameAndExitsZero() {
        CliTest.Run r = run("diff", HELLO_CASE.toString(), HELLO_CASE.toString());
        assertEquals(ExitCodes.OK, r.code(), r.err());
        assertTrue(r.out().contains("verdict: the same"), r.out());
    }

    @Test
    void aChangedResultIsANewDivergenceNamedWithBothValuesAndExitsOne(@TempDir Path dir) throws Exception {
        // XENVER_version answers 0x40011 (4.17) in the case; B says 0x40010 (4.16).
        String text = Files.readString(HELLO_CASE);
        int at = text.indexOf("xen_version/XENVER_version");
        assertTrue(at > 0, "the hello case asks XENVER_version");
        int returns = text.indexOf("returns 0x40011", at);
        Path b = dir.resolve("b.hct");
        Files.writeString(b, text.substring(0, returns) + "returns 0x40010" + text.substring(returns + "returns 0x40011".length()));
        CliTest.Run r = run("diff", HELLO_CASE.toString(), b.toString());
        assertEquals(ExitCodes.FINDING, r.code(), r.out() + r.err());
        assertTrue(r.out().contains("first new divergence"), r.out());
        assertTrue(r.out().contains("xen_version/XENVER_version (observation)"), r.out());
        assertTrue(r.out().contains("A: result=0x40011"), r.out());
        assertTrue(r.out().contains("B: result=0x40010"), r.out());
        assertTrue(r.out().contains("NEW   xen_version/XENVER_version"), "grouped: " + r.out());
    }

    @Test
    void jsonToStdoutIsPureJsonLeadingWithTheFirstDivergence(@TempDir Path dir) throws Exception {
        CliTest.Run r = run("diff", HELLO_CASE.toString(), HELLO_CASE.toString(), "--json", "-");
        assertEquals(ExitCodes.OK, r.code(), r.err());
        JsonNode root = new ObjectMapper().readTree(r.out());
        assertTrue(root.get("summary").get("same").asBoolean());
        assertTrue(root.get("first").isNull());
        assertTrue(root.get("path_change").isNull());
        assertEquals("xen", root.get("a").get("backend").asText());
        assertEquals("0x40000000", root.get("a").get("xen_cpuid_base").asText());
        assertTrue(r.err().contains("verdict: the same"), "the human report on stderr: " + r.err());
    }

    @Test
    void aMissingTraceIsBadInputOnOneLine(@TempDir Path dir) {
        CliTest.Run r = run("diff", HELLO_CASE.toString(), dir.resolve("nope.hct").toString());
        assertEquals(ExitCodes.BAD_INPUT, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("nope.hct"), r.err());
    }

    @Test
    void oneTraceMissingFromTheCommandLineIsAUsageError() {
        CliTest.Run r = run("diff", HELLO_CASE.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("B"), "names the missing parameter: " + r.err());
    }

    @Test
    void helpTeachesWithAnExample() {
        CliTest.Run r = run("diff", "--help");
        assertEquals(0, r.code());
        assertTrue(r.out().contains("hcdiff diff /tmp/xen.journal /tmp/adapter.journal"), r.out());
        assertTrue(r.out().contains("another path"), r.out());
    }

    @Test
    void replayPairOverridesThePairAndTheFirstLineNamesIt() {
        CliTest.Run r = run("replay", "--pair", "xen,xen-on-hyperv", HELLO_CASE.toString());
        assertEquals(ExitCodes.OK, r.code(), r.out() + r.err());
        assertTrue(r.out().lines().findFirst().orElseThrow().contains("through the pair xen,xen-on-hyperv"), r.out());
        CliTest.Run reversed = run("replay", "--pair", "xen-on-hyperv,xen", "-q", HELLO_CASE.toString());
        assertTrue(reversed.code() == ExitCodes.OK || reversed.code() == ExitCodes.FINDING, reversed.err());
        CliTest.Run full = run("replay", "--pair", "xen-on-hyperv,xen", HELLO_CASE.toString());
        assertTrue(full.out().lines().findFirst().orElseThrow().contains("through the pair xen-on-hyperv,xen"), full.out());
    }

    @Test
    void replayPairWithAnUnknownNameIsAUsageErrorListingTheBackends() {
        CliTest.Run r = run("replay", "--pair", "xen,nope", HELLO_CASE.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("unknown backend 'nope'"), r.err());
        for (String name : Backends.names()) {
            assertTrue(r.err().contains(name), "lists " + name + ": " + r.err());
        }
    }

    /**
     * hello is a Xen guest: the Hyper-V model has no Xen hypercall ABI, so a pair with it cannot
     * serve the trace (a usage error, not ten error rows); the reverse for hv-hello and xen. A Hyper-V
     * trace replays through the Hyper-V pair either way round.
     */
    @Test
    void replayPairThatCannotServeTheTracesGuestIsAUsageError() {
        CliTest.Run r = run("replay", "--pair", "hyperv,hyperv-on-xen", HELLO_CASE.toString());
        assertEquals(ExitCodes.USAGE, r.code(), r.out() + r.err());
        assertOneLineError(r);
        assertTrue(r.err().contains("'hyperv' cannot serve this trace") && r.err().contains("Xen hypercalls"), r.err());
        java.nio.file.Path hvHello = HELLO_CASE.getParent().getParent().resolve("hv-hello").resolve("hv-hello.hct");
        CliTest.Run x = run("replay", "--pair", "xen,xen-on-hyperv", hvHello.toString());
        assertEquals(ExitCodes.USAGE, x.code(), x.out() + x.err());
        assertTrue(x.err().contains("'xen' cannot serve this trace") && x.err().contains("Hyper-V hypercalls"), x.err());
        CliTest.Run ok = run("replay", "--pair", "hyperv-on-xen,hyperv", "-q", hvHello.toString());
        assertTrue(ok.code() == ExitCodes.OK || ok.code() == ExitCodes.FINDING, ok.out() + ok.err());
    }

    @Test
    void replayPairWithOneNameIsAUsageError() {
        CliTest.Run r = run("replay", "--pair", "xen", HELLO_CASE.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        assertOneLineError(r);
        assertTrue(r.err().contains("REF,TRANSLATED"), r.err());
    }

    /**
     * hello recorded live under xen and under xen-on-hyperv. Under the adapter Hyper-V owns CPUID
     * 0x40000000 ("Microsoft Hv", TLFS "Hypervisor CPUID Leaf Range") and Xen answers at
     * 0x40000100 with its hypercall-page MSR at 0x40000200, as Xen does with Viridian
     * (xen/arch/x86/cpuid.c, msr.c). The guest finds Xen by scanning, so its path does not change,
     * and the leaves differing only by the move are the known gap xen-cpuid-relocated. hello prints
     * the base it found (recorder/guests/hello.c "Xen CPUID leaves at 0x%x"), so one console byte
     * differs: the guest itself shows the move, a new divergence the diff names by its line.
     */
    @Test
    void helloUnderXenAndUnderTheAdapterDiffersByTheCpuidMoveAndTheBaseItPrints(@TempDir Path dir) throws Exception {
        CliTest.assumeKvm();
        Recorder.RecordOptions options = RecordCommand.options("hello", 0, 64, 60, 2000);
        SortedMap<String, String> config = new TreeMap<>(HostFacts.xenHostConfig());
        config.putAll(Recorder.xenDomainConfig(options));
        Path a = dir.resolve("xen.hct");
        Path b = dir.resolve("adapter.hct");
        RecordCommand.record(options, Backends.create(Backends.XEN, config), a, false, line -> { });
        Backend adapter = Backends.create(Backends.XEN_ON_HYPERV, config);
        RecordCommand.record(options, adapter, b, false, line -> { });

        CliTest.Run r = run("diff", a.toString(), b.toString(), "--json", dir.resolve("d.json").toString());
        JsonNode root = new ObjectMapper().readTree(dir.resolve("d.json").toFile());
        assertEquals("0x40000000", root.get("a").get("xen_cpuid_base").asText(), r.out());
        assertEquals("0x40000100", root.get("b").get("xen_cpuid_base").asText(), r.out());
        assertTrue(root.get("path_change").isNull(), "the guest found Xen by scanning, its path is the same: " + r.out());
        assertTrue(r.out().contains("known xen-cpuid-relocated"), r.out());
        // Hyper-V's vendor leaf at 0x40000000 is B's own.
        assertTrue(root.get("calls").has("cpuid/0x40000000 (xen-on-hyperv's own)"), r.out());
        // The hypercall page was asked at 0x40000200 under the adapter and reads as the same step.
        assertEquals(1, root.get("calls").get("msr/0x40000000").get("b").asLong(), r.out());
        assertFalse(r.out().contains("took another path"), r.out());
        assertEquals("Xen CPUID leaves at 0x40000000", root.get("console_lines").get("a").asText(), r.out());
        assertEquals("Xen CPUID leaves at 0x40000100", root.get("console_lines").get("b").asText(), r.out());
        assertEquals(1, root.get("summary").get("new").asLong(), "only the printed base is new: " + r.out());
        assertEquals("port/0xe9", root.get("first").get("call").asText(), r.out());
        assertEquals(ExitCodes.FINDING, r.code(), r.out());
    }
}
