package dev.hcdiff.recorder.transport;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Which ABI a transport stub speaks, by the MSR that installed its page. */
class TransportPagesTest {

    @Test
    void onlyTheHyperVHypercallMsrInstallsHyperVPages() {
        // HV_X64_MSR_HYPERCALL (TLFS App. C); Xen's page MSR is 0x40000000 or 0x40000200 under viridian (xen-abi.md §2).
        assertEquals(TransportPages.Family.HYPERV, TransportPages.familyOfMsr(0x40000001));
        assertEquals(TransportPages.Family.XEN, TransportPages.familyOfMsr(0x40000000));
        assertEquals(TransportPages.Family.XEN, TransportPages.familyOfMsr(0x40000200));
    }

    @Test
    void withNoPagesEveryStubIsXens() {
        TransportPages p = new TransportPages();
        assertTrue(p.uniform());
        assertEquals(TransportPages.Family.XEN, p.uniformFamily());
        assertEquals(TransportPages.Family.XEN, p.familyAt(0x1234));
    }

    @Test
    void aPageReinstalledByTheOtherMsrChangesFamily() {
        TransportPages p = new TransportPages();
        p.installed(0x10_8000, TransportPages.Family.HYPERV);
        assertTrue(p.uniform());
        assertEquals(TransportPages.Family.HYPERV, p.uniformFamily());
        p.installed(0x10_8000, TransportPages.Family.XEN);
        assertTrue(p.uniform());
        assertEquals(TransportPages.Family.XEN, p.uniformFamily());
    }

    @Property
    void everyByteOfAnInstalledPageHasItsFamilyAndMixedPagesNeedALookUp(
            @ForAll @LongRange(min = 0, max = 0xFFFF) long xenPfn, @ForAll @LongRange(min = 0, max = 0xFFFF) long hvPfn,
            @ForAll @IntRange(min = 0, max = 4095) int offset) {
        TransportPages p = new TransportPages();
        p.installed(xenPfn << 12, TransportPages.Family.XEN);
        p.installed((hvPfn << 12) + offset, TransportPages.Family.HYPERV); // any address in the page names it
        if (xenPfn == hvPfn) {
            // The later install wins: one Hyper-V page.
            assertTrue(p.uniform());
            assertEquals(TransportPages.Family.HYPERV, p.uniformFamily());
            assertEquals(TransportPages.Family.HYPERV, p.familyAt((xenPfn << 12) + offset));
            return;
        }
        assertFalse(p.uniform());
        for (long pfn : List.of(xenPfn, hvPfn)) {
            TransportPages.Family want = pfn == hvPfn ? TransportPages.Family.HYPERV : TransportPages.Family.XEN;
            assertEquals(want, p.familyAt((pfn << 12) + offset));
        }
    }
}
