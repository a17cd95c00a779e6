package dev.hcdiff.oracle.coverage;

import dev.hcdiff.oracle.coverage.AbiCoverage.Row;
import dev.hcdiff.oracle.coverage.AbiCoverage.Status;
import dev.hcdiff.oracle.coverage.AbiCoverage.Table;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

class AbiCoverageTest {

    private static final AbiCoverage COVERAGE = AbiCoverage.read();

    @Test
    void everyXenCallTheReferenceImplementsIsCoveredByTheAdapter() {
        List<String> uncovered = COVERAGE.xenOnHyperV().rows().stream()
                .filter(r -> r.status() == Status.UNCOVERED).map(r -> r.group() + "/" + r.call()).toList();
        if (!uncovered.isEmpty()) {
            fail("the reference implements these Xen calls, but no adapter method declares @Covers for them "
                    + "(add @Covers(call=..., as=MAPPED|EMULATED|GAP, via=...) where the adapter serves each, and "
                    + "list its class in CoverageRegistry): " + uncovered);
        }
        assertEquals(ReferenceXenCalls.implemented().size(), COVERAGE.xenOnHyperV().rows().stream()
                .filter(r -> r.note().isEmpty()).count(), "one row per reference call");
    }

    @Test
    void everyDeclarationNamesAKnownCallOnceAndACatalogedGap() {
        if (!COVERAGE.problems().isEmpty()) {
            fail("wrong @Covers declarations:\n  " + String.join("\n  ", COVERAGE.problems()));
        }
    }

    @Test
    void theAdapterMapsTheCallsHypervAbiSection8aMapsToHyperVCalls() {
        // hyperv-abi.md §8a: send → SignalEvent, yield → NotifyLongSpinWait, get_time → TIME_REF_COUNT,
        // set_evtchn_upcall_vector → the VP's SINT vector; console_io write is a gap.
        assertEquals(Status.MAPPED, xenRow("EVTCHNOP_send").status());
        assertTrue(xenRow("EVTCHNOP_send").via().contains("HvCallSignalEvent"));
        assertEquals(Status.MAPPED, xenRow("SCHEDOP_yield").status());
        assertTrue(xenRow("SCHEDOP_yield").via().contains("HvCallNotifyLongSpinWait"));
        assertEquals("hyperv-clock-100ns", xenRow("HVMOP_get_time").gap());
        assertEquals(Status.MAPPED, xenRow("HVMOP_set_evtchn_upcall_vector").status());
        assertEquals(Status.GAP, xenRow("CONSOLEIO_write").status());
        assertEquals("console-io-adapter-log", xenRow("CONSOLEIO_write").gap());
    }

    @Test
    void countsAddUpToTheRowsOfEachTable() {
        for (Table t : COVERAGE.tables()) {
            long[] n = new long[Status.values().length];
            t.rows().forEach(r -> n[r.status().ordinal()]++);
            assertEquals(n[Status.MAPPED.ordinal()], t.counts().mapped(), t.direction() + " mapped");
            assertEquals(n[Status.EMULATED.ordinal()], t.counts().emulated(), t.direction() + " emulated");
            assertEquals(n[Status.GAP.ordinal()], t.counts().gap(), t.direction() + " gap");
            assertEquals(n[Status.UNCOVERED.ordinal()], t.counts().uncovered(), t.direction() + " uncovered");
            assertEquals(t.rows().size(), t.counts().total());
        }
    }

    @Test
    void theHyperVTableListsEveryHypercallAndSyntheticMsrOnceEach() {
        Table t = COVERAGE.hyperVOnXen();
        assertEquals(HvSurface.calls().size() + HvSurface.msrs().size(), t.rows().size());
        assertEquals(t.rows().size(), t.rows().stream().map(Row::call).distinct().count());
        if (!t.backendPresent()) {
            assertTrue(t.rows().stream().allMatch(r -> r.note().equals("no hyperv-on-xen backend")),
                    "every row says the backend is missing until it exists");
        }
    }

    @Test
    void badDeclarationsAreEachNamedWithTheirMethod() {
        List<XenCall> reference = List.of(call("EVTCHNOP_send"), call("EVTCHNOP_close"), call("EVTCHNOP_bind_ipi"));
        AbiCoverage c = AbiCoverage.read(List.of(BadDeclarations.class.getName()),
                List.of(BadHyperVDeclarations.class.getName()), reference, List.of("xen-on-hyperv"));
        List<String> p = c.problems();
        assertHas(p, "BadDeclarations.sendAgain: @Covers(call=\"EVTCHNOP_send\") is declared again (first on BadDeclarations.send)");
        assertHas(p, "BadDeclarations.closeWithoutGapId: @Covers(call=\"EVTCHNOP_close\", as=GAP) needs gap=");
        assertHas(p, "BadDeclarations.statusWithUnknownGap: @Covers(call=\"EVTCHNOP_status\") names gap \"no-such-divergence\"");
        assertHas(p, "BadDeclarations.misspelt: @Covers(call=\"EVTCHNOP_sned\") is not a Xen call");
        assertHas(p, "BadDeclarations.withoutVia: @Covers(call=\"EVTCHNOP_unmask\") needs via=");
        assertHas(p, "BadHyperVDeclarations.hyperV: @Covers(call=\"HV_X64_MSR_BOGUS\") is neither");
        // Two catalogued ids, comma-separated, are fine; a GAP needs no via.
        assertFalse(p.stream().anyMatch(s -> s.contains("HV_X64_MSR_SINT0")), p.toString());
        // A reference call nobody declares is uncovered; one the reference lacks is listed with a note.
        Table x = c.xenOnHyperV();
        assertEquals(Status.UNCOVERED, row(x, "EVTCHNOP_bind_ipi").status());
        assertEquals("the reference leaves it unmodelled", row(x, "EVTCHNOP_status").note());
        assertEquals(1, x.counts().uncovered());
        assertFalse(c.hyperVOnXen().backendPresent());
        assertEquals(Status.MAPPED, row(c.hyperVOnXen(), "HvCallSignalEvent").status());
        assertEquals("no hyperv-on-xen backend", row(c.hyperVOnXen(), "HvCallPostMessage").note());
        assertEquals(Status.UNCOVERED, row(c.hyperVOnXen(), "HvCallPostMessage").status());
    }

    @Test
    void aRegistryClassThatIsNotOnTheClassPathIsListedAsMissing() {
        AbiCoverage c = AbiCoverage.read(List.of("dev.hcdiff.oracle.adapter.NoSuchOps"), List.of(), List.of(), List.of());
        assertEquals(List.of("dev.hcdiff.oracle.adapter.NoSuchOps"), c.xenOnHyperV().missing());
        assertTrue(c.problems().isEmpty());
    }

    /** A class that declares coverage but is not in the registry would be left out of the table silently. */
    @Test
    void everyBackendSourceFileThatDeclaresCoverageIsInTheRegistry() throws IOException {
        List<String> unlisted = new ArrayList<>();
        unlisted.addAll(unlisted("adapter", CoverageRegistry.XEN_ON_HYPERV));
        unlisted.addAll(unlisted("viridian", CoverageRegistry.HYPERV_ON_XEN));
        assertTrue(unlisted.isEmpty(), "classes with @Covers missing from CoverageRegistry: " + unlisted);
    }

    @Test
    void gapIdsSplitOnCommas() {
        assertEquals(List.of(), AbiCoverage.gapIds(""));
        assertEquals(List.of("a-b"), AbiCoverage.gapIds("a-b"));
        assertEquals(List.of("a", "b"), AbiCoverage.gapIds("a, b"));
    }

    @Test
    void theMarkdownSaysItIsGeneratedAndHowToRegenerateIt() {
        String md = CoverageReport.markdown(COVERAGE);
        assertTrue(md.startsWith("<!-- Generated by 'hcdiff abi --markdown'"), md.lines().findFirst().orElse(""));
        assertTrue(md.contains(CoverageReport.REGENERATE));
        assertTrue(md.contains("| `event_channel_op/EVTCHNOP_send` | 32/4 | mapped |"), "send's row");
        assertEquals(md, CoverageReport.markdown(AbiCoverage.read()), "deterministic");
    }

    private static List<String> unlisted(String pkg, List<String> registry) throws IOException {
        Path dir = Path.of("src/main/java/dev/hcdiff/oracle", pkg);
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        List<String> out = new ArrayList<>();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                String cls = "dev.hcdiff.oracle." + pkg + "." + name.replace(".java", "");
                if (name.endsWith(".java") && Files.readString(f).contains("@Covers(") && !registry.contains(cls)) {
                    out.add(cls);
                }
            }
        }
        return out;
    }

    private static void assertHas(List<String> problems, String prefix) {
        assertTrue(problems.stream().anyMatch(p -> p.startsWith(prefix)), "no problem starting '" + prefix + "' in " + problems);
    }

    private static Row xenRow(String call) {
        return row(COVERAGE.xenOnHyperV(), call);
    }

    private static Row row(Table t, String call) {
        return t.rows().stream().filter(r -> r.call().equals(call)).findFirst()
                .orElseThrow(() -> new AssertionError("no row " + call));
    }

    private static XenCall call(String name) {
        return XenCall.byName(name).orElseThrow();
    }
}
