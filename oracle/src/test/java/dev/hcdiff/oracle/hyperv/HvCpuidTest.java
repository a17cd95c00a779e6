package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.oracle.backend.FlatRam;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPUID 0x40000000.. per TLFS "Feature and Interface Discovery" (hyperv-abi.md §1). */
class HvCpuidTest {

    final HvPartition tlfs = new HvPartition(HvConfig.defaults());

    @Test
    void vendorLeafSpellsMicrosoftHvAndReportsAtLeastLeaf5() {
        int[] r = tlfs.cpuid(0x40000000, 0);
        assertTrue(Integer.compareUnsigned(r[0], 0x40000005) >= 0);
        // TLFS: EBX 0x7263694D "Micr", ECX 0x666F736F "osof", EDX 0x76482074 "t Hv".
        assertEquals(0x7263694D, r[1]);
        assertEquals(0x666F736F, r[2]);
        assertEquals(0x76482074, r[3]);
    }

    @Test
    void interfaceLeafIsHv1() {
        // TLFS: 0x31237648 "Hv#1".
        assertArrayEquals(new int[] {0x31237648, 0, 0, 0}, tlfs.cpuid(0x40000001, 0));
    }

    @Test
    void featuresLeafCarriesThePrivilegeMaskInEaxAndEbx() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withPrivileges(0x0000_0830_8000_0061L));
        int[] r = hv.cpuid(0x40000003, 0);
        assertEquals(0x80000061, r[0]);
        assertEquals(0x00000830, r[1]);
    }

    @Test
    void defaultGuestHasHypercallMsrsVpIndexSignalEventsButNotDebugging() {
        int[] r = tlfs.cpuid(0x40000003, 0);
        // EAX5 AccessHypercallMsrs, EAX6 AccessVpIndex (REQ "must be set"), EBX5 SignalEvents, EBX11 Debugging.
        assertEquals(1 << 5, r[0] & (1 << 5));
        assertEquals(1 << 6, r[0] & (1 << 6));
        assertEquals(1 << 5, r[1] & (1 << 5));
        assertEquals(0, r[1] & (1 << 11));
        assertEquals(0, r[1] & 1, "CreatePartitions must be clear for a guest (REQ)");
    }

    @Test
    void recommendationsLeafCarriesTheSpinRetryCountInEbx() {
        HvPartition hv = new HvPartition(HvConfig.defaults().withSpinRetries(0xfff));
        assertEquals(0xfff, hv.cpuid(0x40000004, 0)[1]);
    }

    @Test
    void leavesPastTheMaxAndOutsideTheRangeReadZero() {
        for (int leaf : new int[] {0x40000007, 0x4000000a, 0x40000080, 0x40000100, 0x40000105, 0}) {
            assertArrayEquals(new int[4], tlfs.cpuid(leaf, 0), Integer.toHexString(leaf));
        }
    }

    @Test
    void xenShowsTheVersionLeafOnlyOnceTheGuestSetItsOsId() {
        HvPartition xen = new HvPartition(HvConfig.defaults().withPersonality(HvPersonality.XEN_VIRIDIAN));
        assertArrayEquals(new int[4], xen.cpuid(0x40000002, 0));
        xen.wrmsr(0, 0x40000000, 0x8100000000000000L, new FlatRam(16));
        // viridian.c: build 0x1772, version 6.0.
        assertArrayEquals(new int[] {0x1772, 0x00060000, 0, 0}, xen.cpuid(0x40000002, 0));
        // Leaf 4 stays empty for a Linux OS id (OS field 47:40 = 0 < 4).
        assertArrayEquals(new int[4], xen.cpuid(0x40000004, 0));
    }
}
