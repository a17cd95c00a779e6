package dev.hcdiff.recorder.vmm;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Which MMIO exits are the backend's (issue 3's layout): the hole between low RAM and 4 GiB,
 * minus the RAM regions; at or above 4 GiB nothing is the guest's.
 */
class MmioExitsTest {

    @Test
    void theHoleIsAboveLowRamBelowFourGibAndOutsideRamRegions() throws Exception {
        try (GuestRam ram = GuestRam.allocate(List.of(new GuestRam.Region(0, 16L << 20),
                new GuestRam.Region(0xFD000000L, 16L << 20), new GuestRam.Region(0xFEFF0000L, 0x10000)))) {
            assertTrue(MmioExits.inHole(ram, 0xFEE00030L, 4), "local APIC");
            assertTrue(MmioExits.inHole(ram, 0xFEC00000L, 4), "IOAPIC");
            assertTrue(MmioExits.inHole(ram, 16L << 20, 1), "first byte after low RAM");
            assertTrue(MmioExits.inHole(ram, 0xFFFFFFF8L, 8), "last 8 bytes below 4 GiB");
            assertFalse(MmioExits.inHole(ram, 0xFFFFFFFCL, 8), "straddles 4 GiB");
            assertFalse(MmioExits.inHole(ram, 1L << 32, 4), "4 GiB");
            assertFalse(MmioExits.inHole(ram, 0x1000, 4), "low RAM");
            assertFalse(MmioExits.inHole(ram, 0xFCFFFFFEL, 4), "runs into a RAM region");
            assertFalse(MmioExits.inHole(ram, 0x10000, 0), "empty");
        }
    }
}
