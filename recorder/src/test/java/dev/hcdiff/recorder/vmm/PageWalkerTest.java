package dev.hcdiff.recorder.vmm;

import dev.hcdiff.oracle.backend.GuestFault;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.LongRange;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Linear → physical translation against page tables built by hand from the Intel SDM vol. 3 ch. 4
 * formats (index bits 47:39, 38:30, 29:21, 20:12; P = bit 0, PS = bit 7; address bits 51:12).
 */
class PageWalkerTest {

    private static final long RAM = 8L << 20;
    private static final long PML4 = 0x1000, PDPT = 0x2000, PD = 0x3000, PT = 0x4000;
    private static final long CR0_PE_PG = 1L | 1L << 31;
    private static final long CR4_PAE = 1L << 5;
    private static final long CR4_PSE = 1L << 4;
    private static final long EFER_LME_LMA = 1L << 8 | 1L << 10;
    private static final ControlRegisters LONG_MODE = new ControlRegisters.Fixed(CR0_PE_PG, PML4, CR4_PAE, EFER_LME_LMA);

    enum PageSize { K4, M2, G1 }

    @Provide
    Arbitrary<Long> canonical() {
        Arbitrary<Long> low = Arbitraries.longs().between(0, (1L << 47) - 1);
        return Arbitraries.oneOf(low, low.map(l -> l | 0xFFFF_8000_0000_0000L));
    }

    @Property(tries = 300, seed = "20261125")
    void longModeMapsEachPageSizeToItsFrame(@ForAll("canonical") long linear, @ForAll PageSize size,
                                            @ForAll @LongRange(min = 0, max = (1L << 40) - 1) long frameSeed) throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            long frame;
            long offsetMask;
            ram.writeLong(PML4 + ((linear >>> 39) & 0x1FF) * 8, PDPT | 3);
            switch (size) {
                case G1 -> {
                    offsetMask = (1L << 30) - 1;
                    frame = (frameSeed << 12) & ~offsetMask & 0x000F_FFFF_FFFF_F000L;
                    ram.writeLong(PDPT + ((linear >>> 30) & 0x1FF) * 8, frame | 0x83);
                }
                case M2 -> {
                    offsetMask = (1L << 21) - 1;
                    frame = (frameSeed << 12) & ~offsetMask & 0x000F_FFFF_FFFF_F000L;
                    ram.writeLong(PDPT + ((linear >>> 30) & 0x1FF) * 8, PD | 3);
                    ram.writeLong(PD + ((linear >>> 21) & 0x1FF) * 8, frame | 0x83);
                }
                default -> {
                    offsetMask = 0xFFF;
                    frame = (frameSeed << 12) & 0x000F_FFFF_FFFF_F000L;
                    ram.writeLong(PDPT + ((linear >>> 30) & 0x1FF) * 8, PD | 3);
                    ram.writeLong(PD + ((linear >>> 21) & 0x1FF) * 8, PT | 3);
                    // Bit 63 (XD) set: ignored for translation.
                    ram.writeLong(PT + ((linear >>> 12) & 0x1FF) * 8, frame | 3 | 1L << 63);
                }
            }
            assertEquals(frame | (linear & offsetMask), PageWalker.translate(ram, LONG_MODE, linear));
        }
    }

    @Property(tries = 100, seed = "20261125")
    void notPresentEntryIsAGuestFault(@ForAll("canonical") long linear) throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            // Everything zero: the PML4 entry is not present.
            GuestFault f = assertThrows(GuestFault.class, () -> PageWalker.translate(ram, LONG_MODE, linear));
            assertTrue(f.getMessage().endsWith("PML4E not present"), f.getMessage());
        }
    }

    @Test
    void tablesOutsideRamAreAGuestFault() throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            ControlRegisters far = new ControlRegisters.Fixed(CR0_PE_PG, 0x4000_0000L, CR4_PAE, EFER_LME_LMA);
            assertThrows(GuestFault.class, () -> PageWalker.translate(ram, far, 0x1000));
        }
    }

    @Test
    void nonCanonicalAddressIsAGuestFault() throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            assertThrows(GuestFault.class, () -> PageWalker.translate(ram, LONG_MODE, 0x0000_8000_0000_0000L));
        }
    }

    @Property(tries = 100, seed = "20261125")
    void pagingOffMeansLinearIsPhysical(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long linear) throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            ControlRegisters flat = new ControlRegisters.Fixed(1L, 0, 0, 0);
            assertEquals(linear, PageWalker.translate(ram, flat, linear));
            // Outside long mode linear addresses are 32 bits wide.
            assertEquals(linear, PageWalker.translate(ram, flat, linear | 0x1_0000_0000L));
        }
    }

    @Property(tries = 200, seed = "20261125")
    void thirtyTwoBitPagingMapsFourKAndFourMPages(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long linear,
                                                  @ForAll boolean large,
                                                  @ForAll @IntRange(min = 0, max = 0xFFFFF) int frameNumber) throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            ControlRegisters legacy = new ControlRegisters.Fixed(CR0_PE_PG, PD, CR4_PSE, 0);
            long pdeAt = PD + ((linear >>> 22) & 0x3FF) * 4;
            long expected;
            if (large) {
                long frame = ((long) frameNumber << 12) & 0xFFC0_0000L;
                ram.write(pdeAt, le32(frame | 0x83));
                expected = frame | (linear & 0x3F_FFFF);
            } else {
                long frame = (long) frameNumber << 12;
                ram.write(pdeAt, le32(PT | 3));
                ram.write(PT + ((linear >>> 12) & 0x3FF) * 4, le32(frame | 3));
                expected = frame | (linear & 0xFFF);
            }
            assertEquals(expected, PageWalker.translate(ram, legacy, linear));
        }
    }

    @Property(tries = 100, seed = "20261125")
    void paePagingMapsTwoMPages(@ForAll @LongRange(min = 0, max = 0xFFFF_FFFFL) long linear,
                                @ForAll @IntRange(min = 0, max = 0xFFFF) int frame2m) throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            ControlRegisters pae = new ControlRegisters.Fixed(CR0_PE_PG, PDPT, CR4_PAE, 0);
            long frame = (long) frame2m << 21;
            ram.writeLong(PDPT + ((linear >>> 30) & 3) * 8, PD | 1);
            ram.writeLong(PD + ((linear >>> 21) & 0x1FF) * 8, frame | 0x83);
            assertEquals(frame | (linear & 0x1F_FFFF), PageWalker.translate(ram, pae, linear));
        }
    }

    @Test
    void liveMemoryCopiesAcrossPagesThroughTheirOwnFrames() throws Exception {
        try (GuestRam ram = GuestRam.allocate(RAM)) {
            // Linear pages 0x10000 and 0x11000 map to frames 0x60000 and 0x50000 (reversed).
            long la = 0x10000;
            ram.writeLong(PML4, PDPT | 3);
            ram.writeLong(PDPT, PD | 3);
            ram.writeLong(PD, PT | 3);
            ram.writeLong(PT + 0x10 * 8, 0x60000 | 3);
            ram.writeLong(PT + 0x11 * 8, 0x50000 | 3);
            LiveGuestMemory mem = new LiveGuestMemory(ram, LONG_MODE);
            byte[] data = new byte[16];
            for (int i = 0; i < data.length; i++) {
                data[i] = (byte) (i + 1);
            }
            mem.writeLinear(la + 0xFF8, data);
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 0, 8), ram.read(0x60FF8, 8));
            assertArrayEquals(java.util.Arrays.copyOfRange(data, 8, 16), ram.read(0x50000, 8));
            assertArrayEquals(data, mem.readLinear(la + 0xFF8, 16));
            // The page after is unmapped: a write that reaches it fails before changing anything.
            byte[] before = ram.read(0x50FF8, 8);
            assertThrows(GuestFault.class, () -> mem.writeLinear(la + 0x1FF8, new byte[16]));
            assertArrayEquals(before, ram.read(0x50FF8, 8));
        }
    }

    private static byte[] le32(long v) {
        return new byte[] {(byte) v, (byte) (v >>> 8), (byte) (v >>> 16), (byte) (v >>> 24)};
    }
}
