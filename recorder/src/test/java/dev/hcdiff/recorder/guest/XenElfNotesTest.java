package dev.hcdiff.recorder.guest;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Size;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The PVH entry note as libelf finds it (xen/common/libelf/libelf-dominfo.c elf_xen_parse()):
 * PT_NOTE segments first, SHT_NOTE sections only when the segments hold no Xen note, "Xen"
 * notes only, XEN_ELFNOTE_PHYS32_ENTRY = 18 (xen/include/public/elfnote.h).
 */
class XenElfNotesTest {

    private static final int PHYS32_ENTRY = 18;
    private static final int GUEST_OS = 6;

    @Test
    void builtPvhGuestHasItsEntryInAPtNoteSegment() {
        XenElfNotes.Found f = XenElfNotes.parse("pvh", GuestImages.load("tests/pvh"));
        // kit/pvh32.ld: the note names kit/start32.S _start, first in .text at 0x100000.
        assertEquals(OptionalLong.of(0x100000), f.phys32Entry());
        assertEquals(2, f.xenNotes(), "GUEST_OS and PHYS32_ENTRY");
    }

    @Test
    void imagesWithoutTheNoteHaveNoPvhEntry() {
        assertEquals(OptionalLong.empty(), XenElfNotes.phys32Entry("firmware", GuestImages.load("tests/firmware")));
        assertEquals(OptionalLong.empty(), XenElfNotes.phys32Entry("hello", BuiltinGuests.load("hello")));
    }

    @Test
    void sectionNotesAreUsedWhenNoSegmentHasAXenNote() {
        byte[] notes = note("Xen", PHYS32_ENTRY, le32(0x200000));
        byte[] elf = elf32(null, notes);
        assertEquals(OptionalLong.of(0x200000), XenElfNotes.phys32Entry("s.elf", elf));
    }

    @Test
    void sectionNotesAreIgnoredWhenASegmentHasAXenNote() {
        // libelf: "Fall back to any SHT_NOTE sections if no valid note segments were found."
        byte[] elf = elf32(note("Xen", GUEST_OS, "linux\0".getBytes()), note("Xen", PHYS32_ENTRY, le32(0x200000)));
        XenElfNotes.Found f = XenElfNotes.parse("both.elf", elf);
        assertEquals(OptionalLong.empty(), f.phys32Entry());
        assertEquals(1, f.xenNotes());
    }

    @Test
    void notesOfOtherOwnersAreSkippedAndTheLastEntryWins() {
        ByteArrayOutputStream seg = new ByteArrayOutputStream();
        seg.writeBytes(note("GNU", PHYS32_ENTRY, le32(0x111000)));
        seg.writeBytes(note("Xen", PHYS32_ENTRY, le32(0x222000)));
        seg.writeBytes(note("Xen", PHYS32_ENTRY, new byte[] {0, 0x30, 0x33, 0, 0, 0, 0, 0}));
        assertEquals(OptionalLong.of(0x333000), XenElfNotes.phys32Entry("x.elf", elf32(seg.toByteArray(), null)));
    }

    @Test
    void aNoteSegmentAtFileOffsetZeroIsSkipped() {
        byte[] elf = elf32(note("Xen", PHYS32_ENTRY, le32(0x200000)), null);
        // The PT_NOTE program header is the second one: p_offset at phoff + 32 + 4.
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putInt(52 + 32 + 4, 0);
        assertEquals(OptionalLong.empty(), XenElfNotes.phys32Entry("zero.elf", elf));
    }

    @Test
    void anEntryThatIsNotOneTwoFourOrEightBytesIsRejected() {
        byte[] elf = elf32(note("Xen", PHYS32_ENTRY, new byte[] {1, 2, 3}), null);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> XenElfNotes.phys32Entry("odd.elf", elf));
        assertEquals("odd.elf: XEN_ELFNOTE_PHYS32_ENTRY has a 3-byte value (expected 1, 2, 4 or 8 bytes)", e.getMessage());
    }

    @Test
    void anEntryAbove4GiBIsRejected() {
        byte[] elf = elf32(note("Xen", PHYS32_ENTRY, new byte[] {0, 0, 0, 0, 1, 0, 0, 0}), null);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> XenElfNotes.phys32Entry("big.elf", elf));
        assertTrue(e.getMessage().contains("is not a 32-bit physical address"), e.getMessage());
    }

    @Test
    void aNoteRunningPastItsSegmentIsRejected() {
        byte[] n = note("Xen", PHYS32_ENTRY, le32(0x200000));
        byte[] elf = elf32(n, null);
        // p_filesz of the PT_NOTE header (phoff + 32 + 16) one word short of the note.
        ByteBuffer.wrap(elf).order(ByteOrder.LITTLE_ENDIAN).putInt(52 + 32 + 16, n.length - 4);
        BadGuestImage e = assertThrows(BadGuestImage.class, () -> XenElfNotes.phys32Entry("cut.elf", elf));
        assertTrue(e.getMessage().startsWith("cut.elf: ELF note at file offset 0x"), e.getMessage());
    }

    @Property(tries = 300, seed = "20261125")
    void arbitraryNoteBytesGiveAnEntryOrAOneLineErrorNeverAnotherException(@ForAll @Size(max = 96) byte[] garbage) {
        byte[] elf = elf32(garbage, garbage);
        try {
            XenElfNotes.parse("fuzz.elf", elf);
        } catch (BadGuestImage expected) {
            assertTrue(expected.getMessage().startsWith("fuzz.elf: "));
            assertTrue(expected.getMessage().indexOf('\n') < 0);
        }
    }

    /** One note: namesz, descsz, type, name + NUL padded to 4, desc padded to 4 (gABI). */
    static byte[] note(String owner, int type, byte[] desc) {
        byte[] name = (owner + "\0").getBytes();
        ByteBuffer b = ByteBuffer.allocate(12 + pad(name.length) + pad(desc.length)).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(name.length).putInt(desc.length).putInt(type);
        b.put(name).position(12 + pad(name.length));
        b.put(desc);
        return b.array();
    }

    /**
     * A minimal ELF32 i386 executable: one PT_LOAD, then a PT_NOTE over {@code segmentNotes}
     * (when given), and section headers with a SHT_NOTE over {@code sectionNotes} (when given).
     */
    static byte[] elf32(byte[] segmentNotes, byte[] sectionNotes) {
        int ehdr = 52;
        int phnum = segmentNotes == null ? 1 : 2;
        int segAt = ehdr + phnum * 32;
        int segLen = segmentNotes == null ? 0 : segmentNotes.length;
        int secAt = segAt + segLen;
        int secLen = sectionNotes == null ? 0 : sectionNotes.length;
        int shoff = pad(secAt + secLen);
        int shnum = sectionNotes == null ? 0 : 2;
        ByteBuffer b = ByteBuffer.allocate(shoff + shnum * 40).order(ByteOrder.LITTLE_ENDIAN);
        b.put(new byte[] {0x7f, 'E', 'L', 'F', 1, 1, 1});
        b.putShort(16, (short) 2).putShort(18, (short) 3).putInt(20, 1).putInt(24, 0x100000).putInt(28, ehdr)
                .putInt(32, shnum == 0 ? 0 : shoff).putShort(40, (short) ehdr).putShort(42, (short) 32)
                .putShort(44, (short) phnum).putShort(46, (short) 40).putShort(48, (short) shnum);
        // PT_LOAD of the whole file at 1 MiB.
        b.putInt(ehdr, 1).putInt(ehdr + 4, 0).putInt(ehdr + 8, 0x100000).putInt(ehdr + 12, 0x100000)
                .putInt(ehdr + 16, b.capacity()).putInt(ehdr + 20, b.capacity());
        if (segmentNotes != null) {
            b.putInt(ehdr + 32, 4).putInt(ehdr + 36, segAt).putInt(ehdr + 48, segLen);
            b.put(segAt, segmentNotes);
        }
        if (sectionNotes != null) {
            b.put(secAt, sectionNotes);
            // Section 0 is SHN_UNDEF; section 1 the SHT_NOTE: sh_type @4, sh_offset @16, sh_size @20.
            b.putInt(shoff + 40 + 4, 7).putInt(shoff + 40 + 16, secAt).putInt(shoff + 40 + 20, secLen);
        }
        return b.array();
    }

    private static byte[] le32(int v) {
        return ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(v).array();
    }

    private static int pad(int n) {
        return (n + 3) & ~3;
    }
}
