package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.oracle.compare.KnownDivergences;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Set;
import java.util.function.UnaryOperator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A guest finds Xen by scanning CPUID in 0x100 steps and takes the MSR from base+2 EBX
 * (xen-abi.md §2): replaying a plain-Xen recording against the adapter moves its requests to
 * 0x40000100 / MSR 0x40000200 (Xen with Viridian's places, xen/arch/x86/cpuid.c and msr.c).
 */
class XenDiscoveryTest {

    private final UnaryOperator<GuestRequest> toAdapter = XenDiscovery.relocate(0x40000000, 0x40000100);

    @Test
    void xenLeavesAndThePageMsrMoveOtherRequestsStay() {
        assertEquals(new CpuidQuery(0, 0x40000102, 0), toAdapter.apply(new CpuidQuery(0, 0x40000002, 0)));
        assertEquals(new CpuidQuery(0, 0x400001ff, 3), toAdapter.apply(new CpuidQuery(0, 0x400000ff, 3)));
        assertEquals(new MsrWrite(0, 0x40000200, 0x80000, CpuMode.PROTECTED32),
                toAdapter.apply(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.PROTECTED32)));
        GuestRequest other = new CpuidQuery(0, 0x1, 0);
        assertEquals(other, toAdapter.apply(other));
        GuestRequest port = new PortWrite(0, 0xe9, 1, 0x41);
        assertEquals(port, toAdapter.apply(port));
        assertEquals(new MsrWrite(0, 0x40000001, 1, CpuMode.LONG64), toAdapter.apply(new MsrWrite(0, 0x40000001, 1, CpuMode.LONG64)));
    }

    @Test
    void relocatingBackAndForthIsTheIdentity() {
        UnaryOperator<GuestRequest> back = XenDiscovery.relocate(0x40000100, 0x40000000);
        for (int leaf = 0x40000000; leaf <= 0x40000005; leaf++) {
            GuestRequest q = new CpuidQuery(0, leaf, 0);
            assertEquals(q, back.apply(toAdapter.apply(q)));
        }
    }

    @Test
    void underDiscoveryOnlyTheBaseRelativeValuesDifferAndTheyAreTheKnownGap() {
        Backends.Pair pair = Backends.pairFor(JournalHeader.create().with(JournalHeader.BACKEND, "xen"));
        for (int leaf = 0x40000000; leaf <= 0x40000005; leaf++) {
            CpuidQuery q = new CpuidQuery(0, leaf, 0);
            Observation ref = Serving.serve(pair.reference(), pair.toReference().apply(q), new FlatRam(4096), 0).observation();
            Observation tr = Serving.serve(pair.translated(), pair.toTranslated().apply(q), new FlatRam(4096), 0).observation();
            Set<Field> fields = Comparator.differingFields(ref, tr);
            if (leaf == 0x40000000 || leaf == 0x40000002) {
                assertEquals(EnumSet.of(Field.RESULT), fields, "leaf " + Integer.toHexString(leaf));
                assertEquals("xen-cpuid-relocated", KnownDivergences.match(q, fields, ref, tr).orElseThrow().id());
            } else {
                assertTrue(fields.isEmpty(), "leaf " + Integer.toHexString(leaf) + " differs in " + fields);
            }
        }
    }
}
