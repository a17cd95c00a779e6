package dev.hcdiff.oracle.viridian;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** {@code cpuid_viridian_leaves()} (viridian.c, RELEASE-4.17.7) and Xen's leaves at 0x40000100. */
class ViridianCpuidTest {

    /** A Windows NT guest OS id: os field (47:40) = 4, proprietary (bit 63 clear). */
    static final long WINDOWS_OS_ID = 4L << 40 | 0x0A00L << 24;
    /** Linux's open-source id: bit 63 set, os type 1 at 62:56; the os byte 47:40 is 0. */
    static final long LINUX_OS_ID = 0x8100L << 48;

    @Test
    void leafZeroIsMicrosoftHvWithMaxLeaf6() {
        Guest g = Guest.viridian(ViridianConfig.defaults());
        assertArrayEquals(new long[] {0x40000006, 0x7263694D, 0x666F736F, 0x76482074}, g.cpuid(0x40000000));
        assertArrayEquals(new long[] {0x31237648, 0, 0, 0}, g.cpuid(0x40000001));
        assertArrayEquals(new long[4], g.cpuid(0x40000007));
    }

    @Test
    void leafTwoOnlyOnceTheGuestOsIdIsSet() {
        Guest g = Guest.viridian(ViridianConfig.defaults());
        assertArrayEquals(new long[4], g.cpuid(0x40000002));
        g.wrmsr(0, 0x40000000, LINUX_OS_ID);
        assertArrayEquals(new long[] {0x1772, 0x00060000, 0, 0}, g.cpuid(0x40000002));
    }

    @Test
    void leafThreeFollowsTheFeatureMask() {
        // Always AccessIntrCtrlRegs (4), AccessHypercallMsrs (5), AccessVpIndex (6) = 0x70.
        Guest base = Guest.viridian(ViridianConfig.defaults().withFeatures(ViridianFeatures.BASE_FREQ));
        assertArrayEquals(new long[] {0x70 | 1 << 11, 0, 0, 0}, base.cpuid(0x40000003));
        Guest noFreq = Guest.viridian(ViridianConfig.defaults()
                .withFeatures(ViridianFeatures.BASE_FREQ | ViridianFeatures.NO_FREQ | ViridianFeatures.CRASH_CTL));
        assertArrayEquals(new long[] {0x70, 0, 0, 1 << 10}, noFreq.cpuid(0x40000003));
        // All: + ref counter (1), SynIC (2), stimers (3), ref TSC (9), freq (11); EDX hotplug 3, crash 10, polling 17.
        Guest all = Guest.viridian(ViridianConfig.defaults());
        assertArrayEquals(new long[] {0x70 | 0b1110 | 1 << 9 | 1 << 11, 0, 0, 1 << 3 | 1 << 10 | 1 << 17},
                all.cpuid(0x40000003));
    }

    @Test
    void leafFourOnlyForWindowsNtGuests() {
        Guest g = Guest.viridian(ViridianConfig.defaults());
        g.wrmsr(0, 0x40000000, LINUX_OS_ID);
        assertArrayEquals(new long[4], g.cpuid(0x40000004));
        g.wrmsr(0, 0x40000000, WINDOWS_OS_ID);
        // RELAX_TIMER_INT 5, MSR_BASED_APIC 3 (no APIC-register virtualisation), remote flush 2, IPI 10, Ex 11.
        assertArrayEquals(new long[] {1 << 5 | 1 << 3 | 1 << 2 | 1 << 10 | 1 << 11, 2047, 0, 0}, g.cpuid(0x40000004));
    }

    @Test
    void leafFiveIsMinusOneOnlyWithNoVpLimit() {
        assertEquals(0xffffffffL, Guest.viridian(ViridianConfig.defaults()).cpuid(0x40000005)[0]);
        assertEquals(0, Guest.viridian(ViridianConfig.defaults().withFeatures(ViridianFeatures.BASE_FREQ))
                .cpuid(0x40000005)[0]);
    }

    @Test
    void xensLeavesAreAt0x40000100() {
        long[] r = Guest.viridian(ViridianConfig.defaults()).cpuid(0x40000100);
        // "XenVMMXenVMM" (xen/include/public/arch-x86/cpuid.h), max leaf base + 5.
        assertArrayEquals(new long[] {0x40000105, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL}, r);
        // base+2 advertises the page MSR at 0x40000200.
        assertEquals(0x40000200, Guest.viridian(ViridianConfig.defaults()).cpuid(0x40000102)[1]);
    }
}
