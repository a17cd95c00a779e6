package dev.hcdiff.oracle.xen.platform;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** xen-abi.md §2 table; xen/arch/x86/traps.c cpuid_hypervisor_leaves(). */
class CpuidLeavesTest {

    private final CpuidLeaves leaves = new CpuidLeaves(0x40000000, 4, 17, 2_000_000, 1);

    @Test
    void leafBaseHasLimitAndXenVMMXenVMMSignature() {
        assertArrayEquals(new int[] {0x40000005, 0x566e6558, 0x65584d4d, 0x4d4d566e}, leaves.query(0, 0x40000000, 0));
    }

    @Test
    void leafBasePlus1IsVersion4Point17() {
        assertArrayEquals(new int[] {0x00040011, 0, 0, 0}, leaves.query(0, 0x40000001, 0));
    }

    @Test
    void leafBasePlus2IsOnePageAtMsr40000000WithoutPvFeatures() {
        assertArrayEquals(new int[] {1, 0x40000000, 0, 0}, leaves.query(0, 0x40000002, 0));
    }

    @Test
    void leafBasePlus3SubleavesDescribeANativeTsc() {
        // vtsc 0, host TSC safe, RDTSCP; tsc_mode 0; kHz; incarnation 1.
        assertArrayEquals(new int[] {6, 0, 2_000_000, 1}, leaves.query(0, 0x40000003, 0));
        // 2 GHz: set_time_scale(2e9) gives shift 0, mul_frac = 2^32 * 1e9 / 2e9 = 0x80000000.
        assertArrayEquals(new int[] {0, 0, 0x80000000, 0}, leaves.query(0, 0x40000003, 1));
        assertArrayEquals(new int[] {2_000_000, 0, 0, 0}, leaves.query(0, 0x40000003, 2));
        assertArrayEquals(new int[4], leaves.query(0, 0x40000003, 3));
    }

    @Test
    void leafBasePlus4HasHvmFlagsVcpuAndDomid() {
        // IOMMU_MAPPINGS | VCPU_ID_PRESENT | DOMID_PRESENT | UPCALL_VECTOR = 0x5c.
        assertArrayEquals(new int[] {0x5c, 3, 1, 0}, leaves.query(3, 0x40000004, 0));
        assertArrayEquals(new int[4], leaves.query(0, 0x40000004, 1));
    }

    @Test
    void leafBasePlus5IsZeroForHvmAndLeavesAboveTheLimitAreZero() {
        assertArrayEquals(new int[4], leaves.query(0, 0x40000005, 0));
        assertArrayEquals(new int[4], leaves.query(0, 0x40000006, 0));
        assertArrayEquals(new int[4], leaves.query(0, 0x400000ff, 0));
        assertArrayEquals(new int[4], leaves.query(0, 0x40000100, 0));
        assertArrayEquals(new int[4], leaves.query(0, 0x3fffffff, 0));
        assertArrayEquals(new int[4], leaves.query(0, 0, 0));
    }

    @Test
    void viridianMovesTheLeavesTo40000100AndTheMsrTo40000200() {
        CpuidLeaves v = new CpuidLeaves(0x40000100, 4, 17, 2_000_000, 1);
        assertArrayEquals(new int[] {0x40000105, 0x566e6558, 0x65584d4d, 0x4d4d566e}, v.query(0, 0x40000100, 0));
        assertArrayEquals(new int[] {1, 0x40000200, 0, 0}, v.query(0, 0x40000102, 0));
        assertArrayEquals(new int[4], v.query(0, 0x40000000, 0));
        assertEquals(0x40000200, v.msrBase());
    }

    @Test
    void timeScaleFollowsSetTimeScale() {
        // 1 GHz: 1e9 <= 1e9 doubles once: shift 1, mul = 2^32 * 1e9 / 2e9.
        assertEquals(new TimeScale(0x80000000, 1), TimeScale.of(1_000_000_000L));
        // 3 GHz: halves once to 1.5e9 (shift -1), mul = 2^32 * 1e9 / 1.5e9 = 2863311530.
        assertEquals(new TimeScale((int) 2863311530L, -1), TimeScale.of(3_000_000_000L));
        // 100 MHz: doubles 4 times to 1.6e9: mul = 2^32 / 1.6 = 2684354560.
        assertEquals(new TimeScale((int) 2684354560L, 4), TimeScale.of(100_000_000L));
    }
}
