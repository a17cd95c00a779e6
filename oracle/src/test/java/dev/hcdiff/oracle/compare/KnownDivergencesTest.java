package dev.hcdiff.oracle.compare;

import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.Observation;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The compositional rule of {@link KnownDivergences#matchAll}: a divergence no single entry
 * explains is known when each differing field is explained on its own, by all those entries; one
 * field no entry explains keeps it new. Built on two hyperv / hyperv-on-xen gaps whose sources are
 * independent: Xen's TSC-derived reference counter (viridian/time.c trc_val(), a little slow) and
 * its vLAPIC gate (synic.c: vlapic_set_irq() only when vlapic_enabled()).
 */
class KnownDivergencesTest {

    /** HV_X64_MSR_TIME_REF_COUNT (TLFS App. C). */
    private static final int TIME_REF_COUNT = 0x40000020;
    private static final MsrRead POLL = new MsrRead(0, TIME_REF_COUNT);
    private static final Interrupt SINT3 = new Interrupt(0, 0x41, "sint3");
    private static final List<String> BOTH = List.of("viridian-reference-counter-tsc-scale",
            "viridian-vlapic-gates-interrupts");

    private static Divergence diverge(Observation ref, Observation tr) {
        return Divergence.between(7, POLL, Divergence.Kind.MODELS, "hyperv-on-xen", ref, tr).orElseThrow();
    }

    /** Xen's counter is behind by at most (counter >> 20) + 2 ticks (HyperVOnXenGaps' clock slack). */
    @Property
    void aSlowCounterAndAGatedSintAreKnownByBothEntries(@ForAll @LongRange(min = 1_000, max = 1L << 50) long counter,
                                                        @ForAll @IntRange(min = 1, max = 2) int behind) {
        Observation ref = Observation.builder().returns(counter).interrupt(SINT3).build();
        Observation tr = Observation.builder().returns(counter - behind).build();
        Divergence d = diverge(ref, tr);
        assertEquals(EnumSet.of(Field.RESULT, Field.INTERRUPTS), d.fields());
        assertFalse(d.isNew());
        assertEquals(BOTH, d.knownIds());
        assertEquals(BOTH.getFirst(), d.known().id());
    }

    @Property
    void oneUnexplainedFieldKeepsItNew(@ForAll @LongRange(min = 1_000, max = 1L << 50) long counter,
                                       @ForAll @IntRange(min = 1, max = 2) int behind) {
        Observation ref = Observation.builder().returns(counter).interrupt(SINT3).build();
        // Console bytes from an MSR read: no entry of the pair explains them.
        Observation chatty = Observation.builder().returns(counter - behind)
                .console("x".getBytes(StandardCharsets.US_ASCII)).build();
        Divergence d = diverge(ref, chatty);
        assertTrue(d.isNew());
        assertNull(d.known());
        assertEquals(List.of(), d.knownAll());
        // A counter ahead of the TLFS one is not Xen's slow clock: the result is unexplained.
        Observation ahead = Observation.builder().returns(counter + behind).build();
        assertTrue(diverge(ref, ahead).isNew());
        // An interrupt the reference never raised is not gated by a vLAPIC.
        Observation extra = Observation.builder().returns(counter - behind).interrupt(new Interrupt(0, 0x42, "sint4"))
                .build();
        assertTrue(diverge(ref, extra).isNew());
    }

    @Test
    void anEntryExplainingTheWholeSetIsTheOnlyOne() {
        // A slow counter alone: one entry, not a composition.
        Divergence d = diverge(Observation.builder().returns(10_000_000).build(),
                Observation.builder().returns(9_999_999).build());
        assertEquals(List.of("viridian-reference-counter-tsc-scale"), d.knownIds());
    }

    @Test
    void otherPairsAndFidelityFailuresStayNew() {
        Observation ref = Observation.builder().returns(10_000_000).interrupt(SINT3).build();
        Observation tr = Observation.builder().returns(9_999_999).build();
        assertTrue(Divergence.between(7, POLL, Divergence.Kind.MODELS, "xen", ref, tr).orElseThrow().isNew());
        assertTrue(Divergence.between(7, POLL, Divergence.Kind.RECORDED, "hyperv-on-xen", ref, tr).orElseThrow().isNew());
    }

    @Test
    void knownMustBeTheFirstOfKnownAll() {
        KnownDivergence a = KnownDivergences.byId(BOTH.get(0)).orElseThrow();
        KnownDivergence b = KnownDivergences.byId(BOTH.get(1)).orElseThrow();
        Observation o = Observation.builder().build();
        assertEquals(List.of(a), new Divergence(1, POLL, Divergence.Kind.MODELS, EnumSet.of(Field.RESULT), a, o, o, null)
                .knownAll());
        try {
            new Divergence(1, POLL, Divergence.Kind.MODELS, EnumSet.of(Field.RESULT), b, o, o, null, List.of(a, b));
        } catch (IllegalArgumentException expected) {
            return;
        }
        throw new AssertionError("a Divergence whose known is not the first of knownAll was accepted");
    }
}
