package dev.hcdiff.replayer.diff;

import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.text.HctReader;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The alignment and comparison of two recordings, over small hand-written .hct traces (docs/hct.md). */
class DiffEngineTest {

    /** "XenVMMXenVMM" in EBX ECX EDX (xen/include/public/arch-x86/cpuid.h XEN_CPUID_SIGNATURE_*). */
    static final String XEN_SIG = "0x566e6558,0x65584d4d,0x4d4d566e";
    /** "Microsoft Hv" in EBX ECX EDX of leaf 0x40000000 (TLFS "Hypervisor CPUID Leaf Range"). */
    static final String HV_SIG = "0x7263694d,0x666f736f,0x76482074";

    /** Xen's CPUID leaves at {@code base}: base+0 limit base+2, base+2 one page at {@code msr} (xen/arch/x86/cpuid.c). */
    static String xenLeaves(int firstSeq, int base, int msr) {
        return "@" + firstSeq + " t=1 vcpu=0 cpuid leaf=0x" + Integer.toHexString(base) + "\n"
                + "  returns 0x" + Integer.toHexString(base + 2) + "," + XEN_SIG + "\n"
                + "@" + (firstSeq + 1) + " t=2 vcpu=0 cpuid leaf=0x" + Integer.toHexString(base + 2) + "\n"
                + "  returns 0x1,0x" + Integer.toHexString(msr) + ",0,0\n";
    }

    /** The hypercall-page MSR write at {@code msr}: the 32-byte stub of hypercall 0 (xen/arch/x86/hvm/vmx hypercall page). */
    static String pageWrite(int seq, int msr) {
        return "@" + seq + " t=3 vcpu=0 msr-write index=0x" + Integer.toHexString(msr) + " value=0x101000\n"
                + "  write 0x101000 b8000000000f01c1c3cccccccccccccccccccccccccccccccccccccccccccccc\n";
    }

    static String yieldCall(int seq, long rc) {
        return "@" + seq + " t=" + (10 + seq) + " vcpu=0 xen64 sched_op/SCHEDOP_yield args=0,0\n  returns " + rc + "\n";
    }

    static String version(int seq, String rc) {
        return "@" + seq + " t=" + (10 + seq) + " vcpu=0 xen64 xen_version/XENVER_version args=0,0\n  returns " + rc + "\n";
    }

    static String stop(int seq, String reason) {
        return "@" + seq + " t=" + (100 + seq) + " stop " + reason + " vcpu=0 rip=0x1000 SCHEDOP_shutdown(poweroff)\n";
    }

    static String trace(String backend, String body) {
        return "hct 1\nheader backend=" + backend + "\nheader guest=t\n" + body;
    }

    static DiffOutcome diff(String a, String b) {
        try (Trace ta = HctReader.ofText(a, "a.hct"); Trace tb = HctReader.ofText(b, "b.hct")) {
            List<TraceRecord> ra = ta.readAll();
            List<TraceRecord> rb = tb.readAll();
            return DiffEngine.diff("a.hct", ta.header(), ra, "b.hct", tb.header(), rb);
        }
    }

    @Test
    void identicalTracesHaveNoDivergenceAndEveryStepAgrees() {
        String t = trace("xen", xenLeaves(0, 0x40000000, 0x40000000) + pageWrite(2, 0x40000000)
                + yieldCall(3, 0) + version(4, "0x40011") + stop(5, "shutdown"));
        DiffOutcome o = diff(t, t);
        assertTrue(o.same());
        assertFalse(o.hasNew());
        assertNull(o.first());
        assertNull(o.pathChange());
        // 2 CPUID leaves, the MSR write, 2 hypercalls and the stop
        assertEquals(6, o.steps());
        assertEquals(6, o.agree());
        assertEquals(1, o.perCall().get("sched_op/SCHEDOP_yield").inA());
        assertEquals(1, o.perCall().get("sched_op/SCHEDOP_yield").inB());
    }

    @Test
    void oneDifferingResultIsTheFirstDivergenceWithBothValues() {
        String a = trace("xen", yieldCall(0, 0) + version(1, "0x40011") + yieldCall(2, 0) + stop(3, "shutdown"));
        String b = trace("xen", yieldCall(0, 0) + version(1, "0x40010") + yieldCall(2, 0) + stop(3, "shutdown"));
        DiffOutcome o = diff(a, b);
        assertTrue(o.hasNew());
        assertNull(o.pathChange(), "the same calls in the same order: no path change");
        Finding f = o.first();
        assertEquals(1, f.seqA());
        assertEquals(1, f.seqB());
        assertEquals("xen_version/XENVER_version", f.call());
        assertEquals(Finding.Kind.OBSERVATION, f.kind());
        assertEquals(Set.of(Field.RESULT), f.fields());
        assertEquals(0x40011, ((dev.hcdiff.trace.record.Exchange) f.a()).observation().result());
        assertEquals(0x40010, ((dev.hcdiff.trace.record.Exchange) f.b()).observation().result());
        assertEquals(1, o.newCount());
        assertEquals(3, o.agree(), "the two yields and the stop agree");
    }

    @Test
    void anotherCallFromStepKIsOnePathChangeNotACascade() {
        String a = trace("xen", yieldCall(0, 0) + yieldCall(1, 0) + version(2, "0x40011") + version(3, "0x40011") + stop(4, "shutdown"));
        String b = trace("xen", yieldCall(0, 0) + version(1, "0x40011") + version(2, "0x40011") + stop(3, "shutdown"));
        DiffOutcome o = diff(a, b);
        PathChange p = o.pathChange();
        assertNotNull(p);
        assertEquals(1, p.step());
        assertEquals(1, p.seqA());
        assertEquals(1, p.seqB());
        assertEquals("sched_op/SCHEDOP_yield", p.madeA());
        assertEquals("xen_version/XENVER_version", p.madeB());
        assertTrue(p.text().contains("the guest took another path: A made sched_op/SCHEDOP_yield, B made xen_version/XENVER_version"),
                p.text());
        assertTrue(o.hasNew());
        assertTrue(o.findings().isEmpty(), "after the path change nothing is compared step by step: " + o.findings());
        // The rest is summarised by call: A yielded twice and asked the version twice, B once and twice.
        assertEquals(2, o.perCall().get("sched_op/SCHEDOP_yield").inA());
        assertEquals(1, o.perCall().get("sched_op/SCHEDOP_yield").inB());
        assertEquals(2, o.perCall().get("xen_version/XENVER_version").inA());
        assertEquals(2, o.perCall().get("xen_version/XENVER_version").inB());
    }

    @Test
    void aTraceThatStopsEarlierIsAPathChangeNamingTheStop() {
        String a = trace("xen", yieldCall(0, 0) + stop(1, "shutdown"));
        String b = trace("xen", yieldCall(0, 0) + yieldCall(1, 0) + stop(2, "shutdown"));
        PathChange p = diff(a, b).pathChange();
        assertNotNull(p);
        assertTrue(p.madeA().startsWith("its stop, shutdown"), p.madeA());
        assertEquals("sched_op/SCHEDOP_yield", p.madeB());
    }

    @Test
    void aDifferentStopIsANewDivergence() {
        String a = trace("xen", yieldCall(0, 0) + stop(1, "shutdown"));
        String b = trace("xen", yieldCall(0, 0) + stop(1, "watchdog"));
        DiffOutcome o = diff(a, b);
        assertTrue(o.hasNew());
        assertEquals(Finding.Kind.STOP, o.first().kind());
        assertEquals(1, o.first().seqA());
    }

    /**
     * The same guest under xen (Xen at 0x40000000, page MSR 0x40000000) and under xen-on-hyperv
     * (Hyper-V's leaves at 0x40000000, Xen at 0x40000100 with MSR 0x40000200, as Xen with Viridian:
     * xen/arch/x86/cpuid.c, msr.c): the relocation is no path change, and what differs (the limit
     * in base+0 EAX, the MSR in base+2 EBX, Hyper-V's own leaf) is the known gap xen-cpuid-relocated.
     */
    @Test
    void xenDiscoveryMovedByTheAdapterIsKnownAndNoPathChange() {
        String a = trace("xen", xenLeaves(0, 0x40000000, 0x40000000) + pageWrite(2, 0x40000000)
                + yieldCall(3, 0) + stop(4, "shutdown"));
        String b = trace("xen-on-hyperv", "@0 t=1 vcpu=0 cpuid leaf=0x40000000\n  returns 0x4000000a," + HV_SIG + "\n"
                + xenLeaves(1, 0x40000100, 0x40000200).replace("@1 ", "@1 ").replace("@2 ", "@2 ")
                + pageWrite(3, 0x40000200) + yieldCall(4, 0) + stop(5, "shutdown"));
        DiffOutcome o = diff(a, b);
        assertNull(o.pathChange(), () -> o.pathChange().text());
        assertFalse(o.hasNew(), () -> "new: " + o.findings());
        assertEquals(List.of("xen-cpuid-relocated"), o.knownIds());
        assertEquals(0x40000000, o.a().xenBase());
        assertEquals(0x40000100, o.b().xenBase());
        assertEquals("A", o.reference());
        // The MSR write moved with the base and wrote the same page: it agrees.
        assertEquals(1, o.perCall().get("msr/0x40000000").agree());
    }

    @Test
    void theSameRelocationWithAWrongHypercallPageMsrIsNew() {
        String a = trace("xen", xenLeaves(0, 0x40000000, 0x40000000) + stop(2, "shutdown"));
        // base+2 EBX must name the relocated MSR 0x40000200 (hyperv-abi.md §8a); 0x40000300 is a bug.
        String b = trace("xen-on-hyperv", xenLeaves(0, 0x40000100, 0x40000300) + stop(2, "shutdown"));
        DiffOutcome o = diff(a, b);
        assertTrue(o.hasNew());
        assertEquals("cpuid/0x40000002", o.first().call());
        assertEquals(Set.of(Field.RESULT), o.first().fields());
    }

    @Test
    void theXenLeafMoveExcusesNoHyperVLeafBetweenTwoHyperVPersonalities() {
        // Leaf 0x40000002 is Hyper-V's version leaf (TLFS "Hypervisor Version"); neither guest found
        // Xen, so a different answer there is new whatever the Xen-side catalog entry would say. B's
        // answer is one viridian never gives (cpuid_viridian_leaves() leaves the leaf zero until the
        // guest OS id is set, a catalogued gap), so only a wrongly applied catalog could excuse it.
        String leaf = "@0 t=1 vcpu=0 cpuid leaf=0x40000000\n  returns 0x40000006," + HV_SIG + "\n"
                + "@1 t=2 vcpu=0 cpuid leaf=0x40000002\n  returns %s\n";
        DiffOutcome o = diff(trace("hyperv", leaf.formatted("0x3839,0xa0000,0,0") + stop(2, "shutdown")),
                trace("hyperv-on-xen", leaf.formatted("0x1234,0x60000,0,0") + stop(2, "shutdown")));
        assertNull(o.a().xenBase());
        assertTrue(o.hasNew());
        assertEquals("cpuid/0x40000002", o.first().call());
        assertNull(o.first().known());
    }

    @Test
    void aDivergenceExplainedFieldByFieldIsKnownByEachEntry() {
        // Under viridian the reference counter runs on the guest TSC through a 32-bit scale, a tick
        // behind the TLFS's (xen/arch/x86/hvm/viridian/time.c trc_val()), and a SINT reaches only an
        // enabled vLAPIC (synic.c: vlapic_set_irq() under vlapic_enabled()): two entries, one per field.
        String read = "@0 t=1 vcpu=0 msr-read index=0x40000020\n  returns %s\n";
        DiffOutcome o = diff(trace("hyperv", read.formatted("0x989680\n  interrupt vcpu=0 vector=0x41 sint3") + stop(1, "shutdown")),
                trace("hyperv-on-xen", read.formatted("0x98967f") + stop(1, "shutdown")));
        assertFalse(o.hasNew());
        Finding f = o.first();
        assertEquals(Set.of(Field.RESULT, Field.INTERRUPTS), f.fields());
        assertEquals("viridian-reference-counter-tsc-scale+viridian-vlapic-gates-interrupts", f.knownLabel());
        assertEquals(List.of("viridian-reference-counter-tsc-scale", "viridian-vlapic-gates-interrupts"), o.knownIds());
    }

    @Test
    void differingMemoryWritesGiveTheOffsetAndBothBytes() {
        String a = trace("xen", pageWrite(0, 0x40000000) + stop(1, "shutdown"));
        // vmcall (0f 01 c1) in A, vmmcall (0f 01 d9) in B: byte 7 of the stub differs.
        String b = trace("xen", pageWrite(0, 0x40000000).replace("0f01c1c3", "0f01d9c3") + stop(1, "shutdown"));
        DiffOutcome o = diff(a, b);
        Finding f = o.first();
        assertEquals(Set.of(Field.WRITES), f.fields());
        assertEquals(1, f.bytes().size());
        ByteDiff d = f.bytes().getFirst();
        assertEquals(0x101000, d.gpa());
        assertEquals(7, d.offset());
        assertEquals(0, d.window());
        assertEquals(1, d.differing());
        assertTrue(d.a().startsWith("b8000000000f01c1c3"), d.a());
        assertTrue(d.b().startsWith("b8000000000f01d9c3"), d.b());
    }

    @Test
    void otherArgumentsToTheSameCallAreARequestDivergence() {
        String a = trace("xen", "@0 t=1 vcpu=0 xen64 event_channel_op/EVTCHNOP_send args=0x4,0x7ffe00\n"
                + "  read 0x7ffe00 03000000\n  returns 0\n" + stop(1, "shutdown"));
        String b = a.replace("read 0x7ffe00 03000000", "read 0x7ffe00 05000000");
        DiffOutcome o = diff(a, b);
        Finding f = o.first();
        assertEquals(Finding.Kind.REQUEST, f.kind());
        assertNull(o.pathChange());
        assertEquals(0, f.bytes().getFirst().offset());
        assertEquals("03000000", f.bytes().getFirst().a());
        assertEquals("05000000", f.bytes().getFirst().b());
    }

    @Test
    void aHypervisorReadingMoreOrReReadingWhatItWroteIsNoOtherRequest() {
        // Xen reads the extent list of populate_physmap (xen/common/memory.c); the adapter, doing no
        // extent, reads only the reservation struct. A re-read of 0x12e290 after the call wrote it
        // is not the guest's input either.
        String call = "@0 t=1 vcpu=0 xen64 memory_op/XENMEM_populate_physmap args=0x6,0x12e25c\n"
                + "  read 0x12e25c 90e21200010000000000000000000000f07f1000\n";
        String a = trace("xen", call + "  read 0x12e290 00c10f00\n  read 0x12e290 11c10f00\n  returns 0x1\n" + stop(1, "shutdown"));
        String b = trace("xen", call + "  read 0x12e290 00c10f00\n  returns 0\n" + stop(1, "shutdown"));
        Finding f = diff(a, b).first();
        assertEquals(Finding.Kind.OBSERVATION, f.kind(), f.detail());
        assertEquals(Set.of(Field.RESULT), f.fields());
    }

    @Test
    void writesMadeWhileTheCpuidTableIsBuiltAreComparedAsOneListNotPerLeaf() {
        // A toolstack's first-request effect lands on whichever leaf a backend is asked first.
        String a = trace("xen", xenLeaves(0, 0x40000000, 0x40000000).replace("  returns 0x40000002,", "  write 0xfeffc810 01000000\n  returns 0x40000002,")
                + stop(2, "shutdown"));
        String b = trace("xen", xenLeaves(0, 0x40000000, 0x40000000).replace("  returns 0x1,", "  write 0xfeffc810 01000000\n  returns 0x1,")
                + stop(2, "shutdown"));
        assertTrue(diff(a, b).same());
        String c = trace("xen", xenLeaves(0, 0x40000000, 0x40000000).replace("  returns 0x1,", "  write 0xfeffc810 02000000\n  returns 0x1,")
                + stop(2, "shutdown"));
        Finding f = diff(a, c).first();
        assertEquals(DiffEngine.CPUID_TABLE_WRITES, f.call());
        assertEquals("01000000", f.bytes().getFirst().a());
        assertEquals("02000000", f.bytes().getFirst().b());
    }

    @Test
    void aPathChangeNamesTheDivergenceJustBeforeIt() {
        String a = trace("xen", version(0, "0x40011") + yieldCall(1, 0) + stop(2, "shutdown"));
        String b = trace("xen", version(0, "0x40010") + stop(1, "shutdown"));
        PathChange p = diff(a, b).pathChange();
        assertEquals(1, p.step());
        assertEquals("xen_version/XENVER_version", p.after().call());
        assertEquals(0, p.after().seqA());
    }

    @Test
    void laterDivergencesOfOneCauseFormOneGroupWithFirstAndLastSeq() {
        StringBuilder a = new StringBuilder();
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            a.append(version(i, "0x40011"));
            b.append(version(i, "0x40010"));
        }
        DiffOutcome o = diff(trace("xen", a + stop(5, "shutdown")), trace("xen", b + stop(5, "shutdown")));
        assertEquals(1, o.groups().size());
        DiffGroup g = o.groups().getFirst();
        assertEquals(5, g.count());
        assertEquals(0, g.firstA());
        assertEquals(4, g.lastA());
        assertNull(g.knownId());
        assertEquals("result", g.fields());
    }
}
