package dev.hcdiff.oracle.compare;

import dev.hcdiff.oracle.adapter.XenOnHyperV;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.hyperv.HvConfig;
import dev.hcdiff.oracle.hyperv.HvPersonality;
import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Each catalog entry recognises the gap it describes, produced by the real backends, and does not
 * recognise another difference on the same call.
 */
class XenOnHyperVGapsTest {

    /** A divergence: request and both observations. */
    record Pair(GuestRequest request, Observation ref, Observation adapter) {
        Set<Field> fields() {
            return Comparator.differingFields(ref, adapter);
        }

        Optional<String> known() {
            return KnownDivergences.match(request, fields(), ref, adapter).map(KnownDivergence::id);
        }
    }

    final FlatRam refRam = new FlatRam(0x10000);
    final FlatRam adapterRam = new FlatRam(0x10000);
    Backend ref = new XenBackend(XenConfig.defaults());
    Backend adapter = XenOnHyperV.of(XenConfig.defaults());

    Pair serve(GuestRequest r) {
        return new Pair(r, Serving.serve(ref, r, refRam, 0).observation(), Serving.serve(adapter, r, adapterRam, 0).observation());
    }

    static Hypercall xen(long nr, long... args) {
        long[] a = new long[6];
        System.arraycopy(args, 0, a, 0, args.length);
        return new Hypercall(0, Abi.XEN64, nr, a);
    }

    void put(long gpa, byte[] b) throws GuestFault {
        refRam.writePhysical(gpa, b);
        adapterRam.writePhysical(gpa, b);
    }

    /** The same observation with one more guest write: a second difference on the same call. */
    static Observation withExtraWrite(Observation o) {
        List<MemChunk> w = new ArrayList<>(o.writes());
        w.add(new MemChunk(0x9000, new byte[] {1}));
        return o.withWrites(w);
    }

    /** The same observation with one more pending event. */
    static Observation withExtraEvent(Observation o) {
        Observation.Builder b = Observation.builder().returns(o.returns()).fault(o.fault()).console(o.console())
                .vcpu(o.vcpu()).shutdown(o.shutdown());
        o.writes().forEach(b::write);
        o.eventsPending().forEach(b::eventPending);
        b.eventPending(63);
        o.interrupts().forEach(b::interrupt);
        o.timers().forEach(b::timer);
        o.trail().forEach(b::trail);
        return b.build();
    }

    @Test
    void consoleWriteLoggedByTheAdapterIsKnown() throws GuestFault {
        // A debug Xen lets a domU write and keeps printable bytes only (guest_console_write);
        // the adapter's log keeps the BEL. Both return 0: only the console differs.
        XenConfig debug = XenConfig.fromMap(new java.util.TreeMap<>(java.util.Map.of("xen.build", "debug")));
        ref = new XenBackend(debug);
        adapter = XenOnHyperV.of(debug);
        put(0x2000, "boot\u0007\n".getBytes(StandardCharsets.US_ASCII));
        Pair p = serve(xen(18, 0, 6, 0x2000));
        assertEquals(EnumSet.of(Field.CONSOLE), p.fields());
        assertEquals(Optional.of("console-io-adapter-log"), p.known());
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraWrite(p.adapter)).known());
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraEvent(p.adapter)).known());
    }

    @Test
    void aReleaseXenAndTheAdapterAgreeOnRefusingConsoleWrites() throws GuestFault {
        put(0x2000, "boot\n".getBytes(StandardCharsets.US_ASCII));
        assertEquals(EnumSet.noneOf(Field.class), serve(xen(18, 0, 5, 0x2000)).fields());
    }

    @Test
    void consoleEntryDoesNotCoverOtherCalls() throws GuestFault {
        XenConfig debug = XenConfig.fromMap(new java.util.TreeMap<>(java.util.Map.of("xen.build", "debug")));
        ref = new XenBackend(debug);
        adapter = XenOnHyperV.of(debug);
        put(0x2000, "boot\u0007\n".getBytes(StandardCharsets.US_ASCII));
        Pair p = serve(xen(18, 0, 5, 0x2000));
        // Same divergence shape, but on xen_version (17) or CONSOLEIO_read (cmd 1): not this gap.
        assertFalse(XenOnHyperVGaps.consoleIoAdapterLog(xen(17, 0, 5, 0x2000), p.fields(), p.ref, p.adapter));
        assertFalse(XenOnHyperVGaps.consoleIoAdapterLog(xen(18, 1, 5, 0x2000), p.fields(), p.ref, p.adapter));
    }

    @Test
    void xenCpuidAtTheBaseAndAtTheRelocatedBaseIsKnown() {
        Pair base = serve(new CpuidQuery(0, 0x40000000, 0));
        assertEquals(EnumSet.of(Field.RESULT), base.fields());
        assertEquals(Optional.of("xen-cpuid-relocated"), base.known());
        Pair moved = serve(new CpuidQuery(0, 0x40000102, 0));
        assertEquals(Optional.of("xen-cpuid-relocated"), moved.known());
        Observation faulting = Observation.builder().fault(Fault.GP).build();
        assertEquals(Optional.empty(), new Pair(base.request, base.ref, faulting).known());
        // Outside the hypervisor range the entry never applies.
        assertFalse(XenOnHyperVGaps.xenCpuidRelocated(new CpuidQuery(0, 0x1, 0), EnumSet.of(Field.RESULT), base.ref, base.adapter));
    }

    @Test
    void hypercallPageMsrWriteToGuestOsIdIsKnown() {
        Pair p = serve(new MsrWrite(0, 0x40000000, 0x5000, CpuMode.LONG64));
        assertEquals(EnumSet.of(Field.WRITES), p.fields());
        assertEquals(Optional.of("xen-hypercall-msr-relocated"), p.known());
        // If the adapter had written something too, it would be a different difference.
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraWrite(p.adapter)).known());
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraEvent(p.adapter)).known());
    }

    @Test
    void relocatedHypercallPageMsrIsKnownWhereXenFaults() {
        Pair p = serve(new MsrWrite(0, 0x40000200, 0x5000, CpuMode.LONG64));
        assertEquals(EnumSet.of(Field.FAULT, Field.WRITES), p.fields());
        assertEquals(Optional.of("xen-hypercall-msr-relocated"), p.known());
        Pair read = serve(new MsrRead(0, 0x40000200));
        assertEquals(Optional.of("xen-hypercall-msr-relocated"), read.known());
        Observation adapterFaults = Observation.builder().fault(Fault.GP).returns(1).build();
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, adapterFaults).known());
    }

    @Test
    void otherSyntheticMsrsAreKnownOnlyInsideTheWindow() {
        Pair p = serve(new MsrRead(0, 0x40000002));
        assertEquals(EnumSet.of(Field.FAULT, Field.RESULT), p.fields());
        assertEquals(Optional.of("hyperv-msr-window"), p.known());
        assertFalse(XenOnHyperVGaps.hypervMsrWindow(new MsrRead(0, 0x40000300), p.fields(), p.ref, p.adapter));
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraEvent(p.adapter)).known());
    }

    @Test
    void unfilteredDebugPortByteIsKnown() {
        // BEL (0x07) is not printable: Xen's hvm_print_line drops it, the platform console keeps it.
        Pair p = serve(new PortWrite(0, 0xe9, 1, 0x07));
        assertEquals(EnumSet.of(Field.CONSOLE), p.fields());
        assertEquals(Optional.of("debug-port-e9-unfiltered"), p.known());
        assertFalse(XenOnHyperVGaps.debugPortUnfiltered(new PortWrite(0, 0x80, 1, 0x07), p.fields(), p.ref, p.adapter));
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraWrite(p.adapter)).known());
    }

    @Test
    void sendWhenThePartitionLacksSignalEventIsKnown() throws GuestFault {
        adapter = new XenOnHyperV(XenConfig.defaults(), HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN));
        put(0x1000, new byte[8]); // struct evtchn_bind_ipi {vcpu 0}
        serve(xen(32, 7, 0x1000));
        put(0x1000, new byte[] {1, 0, 0, 0}); // struct evtchn_send {port 1}
        Pair p = serve(xen(32, 4, 0x1000));
        assertEquals(EnumSet.of(Field.RESULT, Field.EVENTS), p.fields());
        assertEquals(Optional.of("hyperv-call-unavailable"), p.known());
        assertEquals(Optional.empty(), new Pair(p.request, p.ref, withExtraWrite(p.adapter)).known());
    }

    @Test
    void kvmsFlagZeroLimitIsNotAKnownGap() throws GuestFault {
        adapter = new XenOnHyperV(XenConfig.defaults(), HvConfig.defaults().withPersonality(HvPersonality.KVM));
        put(0x1000, new byte[8]);
        serve(xen(32, 7, 0x1000));
        put(0x1000, new byte[] {1, 0, 0, 0});
        Pair p = serve(xen(32, 4, 0x1000));
        // INVALID_PORT_ID (0x11) → -EINVAL: a finding about this personality, reported as new.
        assertEquals(EnumSet.of(Field.RESULT, Field.EVENTS), p.fields());
        assertEquals(Optional.empty(), p.known());
    }

    @Test
    void everyEntryHasAUniqueIdAndIsInTheCatalog() {
        for (KnownDivergence k : XenOnHyperVGaps.entries()) {
            assertEquals(Optional.of(k), KnownDivergences.byId(k.id()));
            assertTrue(k.rationale().length() > 20 && !k.rationale().contains("\n"));
        }
    }

    @Test
    void aWrongRelocatedXenSignatureOrMsrIndexIsNotKnown() {
        java.util.function.BiFunction<Integer, long[], Boolean> known = (leaf, regs) -> XenOnHyperVGaps.xenCpuidRelocated(
                new dev.hcdiff.trace.record.CpuidQuery(0, leaf, 0), EnumSet.of(Field.RESULT),
                Observation.builder().returns(0, 0, 0, 0).build(), Observation.builder().returns(regs).build());
        // xen/include/public/arch-x86/cpuid.h: "XenVMMXenVMM", limit base+5; base+2: 1 page, MSR base 0x40000200 with Viridian.
        assertEquals(true, known.apply(0x40000100, new long[] {0x40000105L, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL}));
        assertEquals(false, known.apply(0x40000100, new long[] {0x40000105L, 0x566e6559L, 0x65584d4dL, 0x4d4d566eL}));
        assertEquals(false, known.apply(0x40000100, new long[] {0x40000101L, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL}));
        assertEquals(true, known.apply(0x40000102, new long[] {1, 0x40000200L, 0, 0}));
        assertEquals(false, known.apply(0x40000102, new long[] {1, 0x40000000L, 0, 0}));
    }
}
