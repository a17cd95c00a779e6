package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Guest RAM is bounds-checked: inside it reads back what was written; outside it is a GuestFault. */
class GuestRamTest {

    private static final long SIZE = 2L << 20;

    @Property(tries = 200, seed = "20261125")
    void accessIsAllowedExactlyInsideRam(@ForAll long gpa, @ForAll @IntRange(min = 0, max = 64) int len) throws Exception {
        try (GuestRam ram = GuestRam.allocate(SIZE)) {
            boolean inside = gpa >= 0 && gpa <= SIZE - len;
            if (inside) {
                byte[] data = new byte[len];
                for (int i = 0; i < len; i++) {
                    data[i] = (byte) (gpa + i);
                }
                ram.write(gpa, data);
                assertArrayEquals(data, ram.read(gpa, len));
            } else {
                assertThrows(GuestFault.class, () -> ram.read(gpa, len));
                assertThrows(GuestFault.class, () -> ram.write(gpa, new byte[len]));
            }
        }
    }

    @Property(tries = 50, seed = "20261125")
    void rangesNearTheEndOfTheAddressSpaceDoNotWrapAround(@ForAll @LongRange(min = Long.MAX_VALUE - 100) long gpa) throws Exception {
        try (GuestRam ram = GuestRam.allocate(SIZE)) {
            // gpa + len overflows a long; Math.addExact must refuse rather than wrap to a small address.
            GuestFault f = assertThrows(GuestFault.class, () -> ram.read(gpa, 200));
            assertEquals(gpa, f.address());
        }
    }

    @Test
    void lastByteIsReachableAndTheNextIsNot() throws Exception {
        try (GuestRam ram = GuestRam.allocate(SIZE)) {
            ram.write(SIZE - 1, new byte[] {42});
            assertEquals(42, ram.read(SIZE - 1, 1)[0]);
            GuestFault f = assertThrows(GuestFault.class, () -> ram.read(SIZE, 1));
            assertEquals("guest fault at 0x200000+1: outside guest RAM [0, 0x200000)", f.getMessage());
            assertThrows(GuestFault.class, () -> ram.writeLong(SIZE - 4, 1));
        }
    }

    /** The firmware layout: 4 MiB low RAM, [0xFD000000, 0xFE000000), [0xFEFF0000, 0xFF000000). */
    private static final java.util.List<GuestRam.Region> HVM = java.util.List.of(new GuestRam.Region(0, 4L << 20),
            new GuestRam.Region(0xFD000000L, 16L << 20), new GuestRam.Region(0xFEFF0000L, 0x10000));

    @Property(tries = 300, seed = "20261125")
    void withSeveralRegionsAnAccessIsAllowedExactlyInsideOne(
            @ForAll @LongRange(min = 0, max = 0x1_0000_0000L) long gpa, @ForAll @IntRange(min = 1, max = 64) int len)
            throws Exception {
        try (GuestRam ram = GuestRam.allocate(HVM)) {
            boolean inside = HVM.stream().anyMatch(r -> gpa >= r.gpa() && gpa + len <= r.end());
            assertEquals(inside, ram.contains(gpa, len));
            if (inside) {
                byte[] data = new byte[len];
                java.util.Arrays.fill(data, (byte) 0x3C);
                ram.write(gpa, data);
                assertArrayEquals(data, ram.read(gpa, len));
            } else {
                assertThrows(GuestFault.class, () -> ram.write(gpa, new byte[len]));
            }
        }
    }

    @Test
    void regionsAreSeparateMemoryAndAnAccessCannotStraddleTheirGap() throws Exception {
        try (GuestRam ram = GuestRam.allocate(HVM)) {
            ram.writeLong(0xFDFFF000L, 0x1122334455667788L);
            ram.writeLong(0xFEFFC000L, 0x0102030405060708L);
            assertEquals(0x1122334455667788L, ram.readLong(0xFDFFF000L));
            assertEquals(0x0102030405060708L, ram.readLong(0xFEFFC000L));
            ram.writeLong(0xFD000000L, -1L);
            assertEquals(0, ram.readLong(0), "region offsets are not aliased into low RAM");
            GuestFault f = assertThrows(GuestFault.class, () -> ram.read(0xFDFFFFFCL, 8));
            assertEquals("guest fault at 0xfdfffffc+8: outside guest RAM [0, 0x400000) [0xfd000000, 0xfe000000) "
                    + "[0xfeff0000, 0xff000000)", f.getMessage());
            assertEquals(4L << 20, ram.lowRamEnd());
            assertTrue(ram.overlaps(0xFCFFFFFCL, 8));
            assertFalse(ram.overlaps(0xFEE00000L, 4));
        }
    }

    @Test
    void overlappingOrTouchingRegionsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GuestRam.allocate(java.util.List.of(
                new GuestRam.Region(0, 0x2000), new GuestRam.Region(0x2000, 0x1000))));
        assertThrows(IllegalArgumentException.class, () -> new GuestRam.Region(0x800, 0x1000));
    }

    @Test
    void sizeMustBeWholeTwoMegabyteUnits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GuestRam.allocate(4096));
        assertEquals("guest memory must be a positive multiple of 2 MiB, got 4096 bytes", e.getMessage());
    }
}
