package dev.hcdiff.recorder.guest;

import dev.hcdiff.recorder.vmm.GuestRam;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** ELF parsing and loading: the built guests load; damaged or foreign files fail in one line. */
class ElfImageTest {

    /** The kit's linker script (recorder/guests/kit/guest.ld) loads at 1 MiB and enters at _start there. */
    private static final long KIT_BASE = 0x100000;

    @Test
    void builtHelloIsAnElf64ExecutableEnteredAtOneMiB() {
        ElfImage image = ElfImage.parse("hello", BuiltinGuests.load("hello"));
        assertTrue(image.is64());
        assertEquals(KIT_BASE, image.entry());
        assertFalse(image.segments().isEmpty());
        assertEquals(KIT_BASE, image.segments().getFirst().paddr());
    }

    @Test
    void builtPm32IsAnElf32Executable() {
        ElfImage image = ElfImage.parse("pm32", GuestImages.load("tests/pm32"));
        assertFalse(image.is64());
        assertEquals(KIT_BASE, image.entry());
    }

    @Test
    void loadingCopiesFileBytesAndZeroesBss() throws Exception {
        byte[] file = BuiltinGuests.load("hello");
        ElfImage image = ElfImage.parse("hello", file);
        try (GuestRam ram = GuestRam.allocate(4L << 20)) {
            ram.fill(0, ram.lowRamEnd(), (byte) 0x5A);
            image.loadInto(ram, file, BootLayout.RESERVED_END);
            for (ElfImage.Segment s : image.segments()) {
                byte[] expected = Arrays.copyOfRange(file, (int) s.fileOffset(), (int) (s.fileOffset() + s.fileSize()));
                assertArrayEquals(expected, ram.read(s.paddr(), (int) s.fileSize()));
                byte[] bss = ram.read(s.paddr() + s.fileSize(), (int) (s.memSize() - s.fileSize()));
                assertArrayEquals(new byte[bss.length], bss);
            }
        }
    }

    @Test
    void truncatedFileNamesTheMissingBytes() {
        byte[] file = BuiltinGuests.load("hello");
        byte[] cut = Arrays.copyOf(file, 200);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> ElfImage.parse("hello.elf", cut));
        assertTrue(e.getMessage().startsWith("hello.elf: truncated: segment 0 needs file bytes"), e.getMessage());
        BadGuestImage header = assertThrows(BadGuestImage.class, () -> ElfImage.parse("x.elf", Arrays.copyOf(file, 40)));
        assertEquals("x.elf: truncated: 40 bytes, shorter than the 64-byte ELF header", header.getMessage());
    }

    @Test
    void wrongMachineIsRejected() {
        byte[] file = BuiltinGuests.load("hello");
        // e_machine at offset 18: EM_AARCH64 = 183 (gABI machine list).
        ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN).putShort(18, (short) 183);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> ElfImage.parse("arm.elf", file));
        assertEquals("arm.elf: wrong machine 183 for ELF64 (expected 62, EM_X86_64)", e.getMessage());
    }

    @Test
    void notElfIsRejected() {
        BadGuestImage e = assertThrows(BadGuestImage.class,
                () -> ElfImage.parse("notes.txt", "hello, world, not an ELF".getBytes()));
        assertEquals("notes.txt: not an ELF file (no \\x7fELF magic)", e.getMessage());
    }

    @Test
    void bigEndianIsRejected() {
        byte[] file = BuiltinGuests.load("hello");
        file[5] = 2; // ELFDATA2MSB
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> ElfImage.parse("be.elf", file));
        assertTrue(e.getMessage().startsWith("be.elf: not little-endian"), e.getMessage());
    }

    @Test
    void segmentOutsideRamIsRejected() throws Exception {
        byte[] file = BuiltinGuests.load("hello");
        ElfImage image = ElfImage.parse("hello", file);
        ElfImage high = new ElfImage("high.elf", true, image.entry(), image.segments().stream()
                .map(s -> new ElfImage.Segment(s.fileOffset(), s.paddr() + (4L << 20), s.fileSize(), s.memSize()))
                .toList());
        try (GuestRam ram = GuestRam.allocate(4L << 20)) {
            BadGuestImage e = assertThrows(BadGuestImage.class, () -> high.loadInto(ram, file, BootLayout.RESERVED_END));
            assertTrue(e.getMessage().startsWith("high.elf: segment [0x500000, +0x"), e.getMessage());
            assertTrue(e.getMessage().contains("lies outside the guest's RAM [0, 0x400000)"), e.getMessage());
        }
    }

    @Test
    void segmentOverTheBootAreaIsRejected() throws Exception {
        byte[] file = BuiltinGuests.load("hello");
        ElfImage image = ElfImage.parse("hello", file);
        ElfImage low = new ElfImage("low.elf", true, 0x1000, image.segments().stream()
                .map(s -> new ElfImage.Segment(s.fileOffset(), s.paddr() - KIT_BASE + 0x1000, s.fileSize(), s.memSize()))
                .toList());
        try (GuestRam ram = GuestRam.allocate(4L << 20)) {
            BadGuestImage e = assertThrows(BadGuestImage.class, () -> low.loadInto(ram, file, BootLayout.RESERVED_END));
            assertTrue(e.getMessage().contains("overlaps the boot area [0, 0x80000)"), e.getMessage());
        }
    }

    @Test
    void fileSizeLargerThanMemorySizeIsRejected() {
        byte[] file = BuiltinGuests.load("hello");
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        long phoff = b.getLong(32);
        // Elf64_Phdr: p_filesz @32, p_memsz @40 of the first program header.
        b.putLong((int) phoff + 40, 0);
        b.putLong((int) phoff + 32, 16);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> ElfImage.parse("odd.elf", file));
        assertTrue(e.getMessage().contains("exceeds its memory size"), e.getMessage());
    }

    @Test
    void builtinGuestsListOnlyTheShippedOnes() {
        assertEquals(java.util.List.of("hello", "spin", "hv-hello"), BuiltinGuests.names());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> BuiltinGuests.load("tests/loop"));
        assertEquals("no built-in guest 'tests/loop' (built-in guests: hello, spin, hv-hello)", e.getMessage());
    }
}
