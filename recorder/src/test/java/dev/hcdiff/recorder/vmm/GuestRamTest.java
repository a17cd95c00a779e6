package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

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

    @Test
    void sizeMustBeWholeTwoMegabyteUnits() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> GuestRam.allocate(4096));
        assertEquals("guest memory must be a positive multiple of 2 MiB, got 4096 bytes", e.getMessage());
    }
}
