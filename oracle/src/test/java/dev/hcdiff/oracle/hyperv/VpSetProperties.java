package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.Interrupt;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * The sparse VP-set encoding HV_VP_SET (TLFS datatype hv_vp_set): bank = VPindex / 64, one
 * ValidBanksMask bit per bank present, one BankContents word per set mask bit in ascending bank
 * order, bit VPindex % 64 in that word.
 */
class VpSetProperties {

    @Provide
    Arbitrary<Set<Integer>> vpSets() {
        // Shrinks towards small sets of low VP indices; spans all 64 banks.
        return Arbitraries.integers().between(0, 4095).set().ofMaxSize(20);
    }

    /** The TLFS page's own example: {0, 5, 130} → ValidBanksMask 0x5, BankContents {0x21, 0x4}. */
    @Example
    void tlfsExampleEncodesAsThePageSays() {
        VpSet s = VpSet.sparse(List.of(0, 5, 130));
        assertEquals(0, s.format());
        assertEquals(0x5, s.validBanks());
        assertArrayEquals(new long[] {0x21, 0x4}, s.banks());
    }

    @Property(seed = "20261125")
    void encodingIsTheDefinitionBitByBit(@ForAll("vpSets") Set<Integer> vps) {
        VpSet s = VpSet.sparse(vps);
        long mask = 0;
        for (int vp : vps) {
            mask |= 1L << (vp / 64);
        }
        assertEquals(mask, s.validBanks());
        assertEquals(Long.bitCount(mask), s.bankCount());
        int w = 0;
        for (int bank = 0; bank < 64; bank++) {
            if ((mask >>> bank & 1) == 0) {
                continue;
            }
            long word = 0;
            for (int vp : vps) {
                if (vp / 64 == bank) {
                    word |= 1L << (vp % 64);
                }
            }
            assertEquals(word, s.banks()[w++], "bank " + bank);
        }
    }

    @Property(seed = "20261125")
    void decodingReturnsTheSetInOrder(@ForAll("vpSets") Set<Integer> vps) {
        assertEquals(new ArrayList<>(new TreeSet<>(vps)), VpSet.sparse(vps).members(4096));
    }

    /**
     * End to end: HvCallSendSyntheticClusterIpiEx with the set in guest memory and the bank count as
     * the variable header interrupts exactly the set's VPs that exist, in VP order.
     */
    @Property(seed = "20261125", tries = 200)
    void ipiExReachesExactlyTheExistingMembers(@ForAll("vpSets") Set<Integer> vps) {
        int vcpus = 200;
        HvPartition hv = new HvPartition(HvConfig.defaults().withVcpus(vcpus));
        FlatRam mem = new FlatRam(0x4000);
        VpSet s = VpSet.sparse(vps);
        mem.putLong(0x1000, 0x30); // Vector 0x30, TargetVtl 0
        byte[] b = s.bytes();
        for (int i = 0; i < b.length; i++) {
            mem.putByte(0x1008 + i, b[i]);
        }
        List<Interrupt> irqs = new ArrayList<>();
        long input = 0x0015 | ((long) s.bankCount() << 17);
        assertEquals(0, hv.hypercall(0, input, 0x1000, 0, mem, irqs::add));
        List<Interrupt> expected = new TreeSet<>(vps).stream().filter(vp -> vp < vcpus)
                .map(vp -> new Interrupt(vp, 0x30, "ipi")).toList();
        assertEquals(expected, irqs);
    }
}
