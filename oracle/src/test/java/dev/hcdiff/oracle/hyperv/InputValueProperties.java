package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The model's input-value validation against predicates written straight from the TLFS table
 * "Hypercall Inputs" (hyperv-abi.md §2.2), over random 64-bit input values.
 */
class InputValueProperties {

    static final FlatRam MEM = new FlatRam(0x2000);

    /**
     * §2.2 for a simple call with a fixed header: only the call code (15:0) and the fast bit (16)
     * may be non-zero. Every other field — variable header 26:17, RsvdZ 31:27, rep count 43:32,
     * RsvdZ 47:44, rep start 59:48, RsvdZ 63:60 — must be zero.
     */
    static boolean simpleFixedCallInputValid(long v) {
        long allowed = (1L << 17) - 1;
        return (v & ~allowed) == 0;
    }

    /** The RsvdZ fields of §2.2: bits 31:27, 47:44, 63:60. */
    static boolean reservedBitSet(long v) {
        for (int[] field : new int[][] {{27, 31}, {44, 47}, {60, 63}}) {
            for (int b = field[0]; b <= field[1]; b++) {
                if ((v >>> b & 1) != 0) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Random input values, plus sparse ones that set a few bits so each field is hit often. */
    @Provide
    Arbitrary<Long> inputValues() {
        Arbitrary<Long> sparse = Arbitraries.integers().between(0, 63).list().ofMaxSize(3)
                .map(bits -> bits.stream().mapToLong(b -> 1L << b).reduce(0, (a, b) -> a | b));
        return Arbitraries.oneOf(Arbitraries.longs(), sparse);
    }

    @Property(seed = "20261125")
    void notifyLongSpinWaitSucceedsExactlyWhenTheInputValueIsWellFormed(@ForAll("inputValues") long raw) {
        long input = (raw & ~0xffffL) | 0x0008;
        long expected = simpleFixedCallInputValid(input) ? 0 : 3;
        for (HvPersonality who : List.of(HvPersonality.TLFS, HvPersonality.KVM)) {
            HvPartition hv = new HvPartition(HvConfig.defaults().withPersonality(who));
            assertEquals(expected, hv.hypercall(0, input, raw, ~raw, MEM, i -> { }), who.textName());
        }
        HvPartition xen = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN));
        assertEquals(0, xen.hypercall(0, input, raw, ~raw, MEM, i -> { }));
    }

    @Property(seed = "20261125")
    void unmodelledCodesFollowEachPersonalitysCheckOrder(@ForAll("inputValues") long raw) {
        long code = raw & 0xffff;
        // The modelled calls (TLFS App. A codes): move off them into the extended range 0x80xx.
        if (List.of(0x2L, 0x3L, 0x8L, 0xBL, 0x13L, 0x14L, 0x15L, 0x5CL, 0x5DL, 0x69L, 0x6AL, 0x6BL, 0x9AL).contains(code)) {
            raw |= 0x8000;
        }
        long tlfs = new HvPartition(HvConfig.defaults()).hypercall(0, raw, 0, 0, MEM, i -> { });
        long kvm = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.KVM)).hypercall(0, raw, 0, 0, MEM, i -> { });
        assertEquals(2, tlfs);
        assertEquals(reservedBitSet(raw) ? 3 : 2, kvm);
    }

    @Property(seed = "20261125")
    void repBuilderPlacesEachFieldWhereTheTableSays(@ForAll @net.jqwik.api.constraints.IntRange(max = 0xffff) int code,
                                                   @ForAll @net.jqwik.api.constraints.IntRange(max = 0xfff) int count,
                                                   @ForAll @net.jqwik.api.constraints.IntRange(max = 0xfff) int start,
                                                   @ForAll @net.jqwik.api.constraints.IntRange(max = 0x3ff) int varhdr) {
        long v = HypercallInput.rep(code, count, start, varhdr);
        // §2.2: code 15:0, variable header 26:17, rep count 43:32, start 59:48, nothing else.
        assertEquals(code | ((long) varhdr << 17) | ((long) count << 32) | ((long) start << 48), v);
        // §2.4: reps completed is read back from bits 43:32 of a result value.
        assertEquals(count, HvStatus.repsCompletedOf(HvStatus.result(0x5, count)));
    }

    @Property(seed = "20261125")
    void decodedFieldsMatchTheBitTable(@ForAll("inputValues") long raw) {
        HypercallInput in = new HypercallInput(raw);
        assertEquals(raw & 0xffff, in.code());
        assertEquals(((raw >>> 16) & 1) == 1, in.fast());
        assertEquals((raw >>> 17) & 0x3ff, in.variableHeaderSize());
        assertEquals((raw >>> 32) & 0xfff, in.repCount());
        assertEquals((raw >>> 48) & 0xfff, in.repStart());
        assertEquals(reservedBitSet(raw), in.reservedBitsSet());
    }
}
