package dev.hcdiff.recorder.guest;

import static dev.hcdiff.recorder.guest.ElfBytes.fits;
import static dev.hcdiff.recorder.guest.ElfBytes.u16;
import static dev.hcdiff.recorder.guest.ElfBytes.u32;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.OptionalLong;

/**
 * Finds the PVH entry point of an ELF image as Xen's libelf does ({@code xen/common/libelf/
 * libelf-dominfo.c: elf_xen_parse()}): the "Xen" notes of every {@code PT_NOTE} segment with a
 * non-zero {@code p_offset}, and only when those hold no Xen note, the notes of every
 * {@code SHT_NOTE} section. The note {@code XEN_ELFNOTE_PHYS32_ENTRY} (18,
 * {@code xen/include/public/elfnote.h}) gives the 32-bit physical entry; a later note wins, as
 * libelf overwrites {@code parms->phys_entry}.
 *
 * <p>Note layout (gABI "Note Section", the same for ELF32 and ELF64): {@code u32 namesz, descsz,
 * type}, the name padded to 4 bytes, the descriptor padded to 4 bytes. A numeric descriptor is
 * 1, 2, 4 or 8 bytes, little-endian ({@code libelf-tools.c: elf_note_numeric()}).
 *
 * <p>Every offset is checked against the file: a note that runs past its segment or section, or
 * a PHYS32_ENTRY that is not a 32-bit number, is a one-line {@link BadGuestImage}.
 */
public final class XenElfNotes {

    private XenElfNotes() {
    }

    /** {@code elfnote.h}: XEN_ELFNOTE_PHYS32_ENTRY 18. */
    public static final int XEN_ELFNOTE_PHYS32_ENTRY = 18;
    /** gABI p_type PT_NOTE 4. */
    static final int PT_NOTE = 4;
    /** gABI sh_type SHT_NOTE 7. */
    static final int SHT_NOTE = 7;
    /** Elf32_Nhdr / Elf64_Nhdr: three 32-bit words. */
    static final int NHDR = 12;
    /** libelf's ELF_MAX_TOTAL_NOTE_COUNT bound on notes walked, against hostile images. */
    static final int MAX_NOTES = 65536;
    /** More headers than any sane image has; bounds the loops. */
    static final int MAX_HEADERS = 65536;
    /** The owner name of Xen's notes: "Xen" with its NUL (namesz 4). */
    private static final byte[] XEN = {'X', 'e', 'n', 0};

    /** What the notes say: the PVH entry, when given, and how many Xen notes there were. */
    record Found(OptionalLong phys32Entry, int xenNotes) {
    }

    /**
     * The {@code XEN_ELFNOTE_PHYS32_ENTRY} value of an image that {@link ElfImage#parse} accepted.
     *
     * @throws BadGuestImage naming {@code name} for a malformed note
     */
    public static OptionalLong phys32Entry(String name, byte[] file) {
        return parse(name, file).phys32Entry();
    }

    static Found parse(String name, byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        boolean is64 = file[4] == 2;
        Walk walk = new Walk(name, b);
        long phoff = is64 ? b.getLong(32) : u32(b, 28);
        int phentsize = u16(b, is64 ? 54 : 42);
        int phnum = Math.min(u16(b, is64 ? 56 : 44), MAX_HEADERS);
        for (int i = 0; i < phnum; i++) {
            long at = phoff + (long) i * phentsize;
            if (!fits(at, is64 ? 56 : 32, file.length)) {
                continue;
            }
            ElfBytes.ProgramHeader ph = ElfBytes.ProgramHeader.at(b, is64, (int) at);
            // "Some versions of binutils do not correctly set p_offset for note segments."
            if (ph.type() == PT_NOTE && ph.offset() != 0) {
                walk.area(ph.offset(), ph.fileSize(), "PT_NOTE segment " + i);
            }
        }
        if (walk.xenNotes == 0 && file.length >= (is64 ? 64 : 52)) {
            long shoff = is64 ? b.getLong(40) : u32(b, 32);
            int shentsize = u16(b, is64 ? 58 : 46);
            int shnum = Math.min(u16(b, is64 ? 60 : 48), MAX_HEADERS);
            for (int i = 1; i < shnum; i++) {
                long at = shoff + (long) i * shentsize;
                if (shoff == 0 || !fits(at, is64 ? 64 : 40, file.length) || b.getInt((int) at + 4) != SHT_NOTE) {
                    continue;
                }
                long offset = is64 ? b.getLong((int) at + 24) : u32(b, (int) at + 16);
                long size = is64 ? b.getLong((int) at + 32) : u32(b, (int) at + 20);
                walk.area(offset, size, "SHT_NOTE section " + i);
            }
        }
        return new Found(walk.entry, walk.xenNotes);
    }

    /** Walks note areas, remembering the last PHYS32_ENTRY. */
    private static final class Walk {
        private final String name;
        private final ByteBuffer b;
        private OptionalLong entry = OptionalLong.empty();
        private int xenNotes;
        private int notes;

        Walk(String name, ByteBuffer b) {
            this.name = name;
            this.b = b;
        }

        void area(long offset, long size, String what) {
            if (!fits(offset, size, b.capacity())) {
                throw new BadGuestImage(name, what + " [0x" + Long.toHexString(offset) + ", +0x"
                        + Long.toHexString(size) + ") runs past the end of the " + b.capacity() + "-byte file");
            }
            long end = offset + size;
            long at = offset;
            while (at + NHDR <= end) {
                if (++notes > MAX_NOTES) {
                    throw new BadGuestImage(name, "more than " + MAX_NOTES + " ELF notes");
                }
                long namesz = u32(b, (int) at);
                long descsz = u32(b, (int) at + 4);
                int type = b.getInt((int) at + 8);
                long nameAt = at + NHDR;
                long descAt = nameAt + pad4(namesz);
                long next = descAt + pad4(descsz);
                if (next > end) {
                    throw new BadGuestImage(name, "ELF note at file offset 0x" + Long.toHexString(at)
                            + " runs past the end of its " + what);
                }
                if (isXen(nameAt, namesz)) {
                    xenNotes++;
                    if (type == XEN_ELFNOTE_PHYS32_ENTRY) {
                        entry = OptionalLong.of(phys32(descAt, descsz));
                    }
                }
                at = next;
            }
        }

        private boolean isXen(long nameAt, long namesz) {
            if (namesz != XEN.length) {
                return false;
            }
            for (int i = 0; i < XEN.length; i++) {
                if (b.get((int) nameAt + i) != XEN[i]) {
                    return false;
                }
            }
            return true;
        }

        private long phys32(long descAt, long descsz) {
            long value = switch ((int) Math.min(descsz, 9)) {
                case 1 -> Byte.toUnsignedLong(b.get((int) descAt));
                case 2 -> u16(b, (int) descAt);
                case 4 -> u32(b, (int) descAt);
                case 8 -> b.getLong((int) descAt);
                default -> throw new BadGuestImage(name, "XEN_ELFNOTE_PHYS32_ENTRY has a " + descsz
                        + "-byte value (expected 1, 2, 4 or 8 bytes)");
            };
            if (value < 0 || value > 0xFFFF_FFFFL) {
                throw new BadGuestImage(name, "XEN_ELFNOTE_PHYS32_ENTRY 0x" + Long.toHexString(value)
                        + " is not a 32-bit physical address");
            }
            return value;
        }
    }

    private static long pad4(long n) {
        return (n + 3) & ~3L;
    }
}
