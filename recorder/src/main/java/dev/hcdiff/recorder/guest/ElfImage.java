package dev.hcdiff.recorder.guest;

import static dev.hcdiff.recorder.guest.ElfBytes.fits;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.recorder.vmm.GuestRam;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * An ELF64 or ELF32 little-endian x86 executable, reduced to what a loader needs: the entry
 * point, the class, and the PT_LOAD segments (System V gABI "ELF Header" and "Program Header";
 * x86-64 psABI). Parsing checks every offset against the file; loading checks every segment
 * against RAM and the boot area, so a bad or foreign file ends in a one-line {@link BadGuestImage}.
 *
 * @param name     what the user calls the image (file name or built-in name), for messages
 * @param is64     ELFCLASS64 (x86-64) rather than ELFCLASS32 (i386)
 * @param entry    e_entry
 * @param segments the PT_LOAD segments in file order
 */
public record ElfImage(String name, boolean is64, long entry, List<Segment> segments) {

    /** "\x7fELF" (gABI e_ident[EI_MAG0..3]). */
    private static final int ELF_MAGIC = 0x464C457F;
    /** e_ident[EI_CLASS]: ELFCLASS32 1, ELFCLASS64 2. */
    private static final int ELFCLASS32 = 1;
    private static final int ELFCLASS64 = 2;
    /** e_ident[EI_DATA]: ELFDATA2LSB 1. */
    private static final int ELFDATA2LSB = 1;
    /** e_type ET_EXEC 2. */
    private static final int ET_EXEC = 2;
    /** e_machine EM_386 3, EM_X86_64 62. */
    private static final int EM_386 = 3;
    private static final int EM_X86_64 = 62;
    /** p_type PT_LOAD 1. */
    private static final int PT_LOAD = 1;
    /** Header sizes: Elf32_Ehdr 52, Elf64_Ehdr 64; Elf32_Phdr 32, Elf64_Phdr 56. */
    private static final int EHDR32 = 52;
    private static final int EHDR64 = 64;
    private static final int PHDR32 = 32;
    private static final int PHDR64 = 56;
    /** More program headers than any sane executable has; bounds the parse loop. */
    private static final int MAX_PHDRS = 256;

    /**
     * A PT_LOAD segment: {@code fileSize} bytes from {@code fileOffset} go to guest-physical
     * {@code paddr}, followed by {@code memSize - fileSize} zero bytes.
     */
    public record Segment(long fileOffset, long paddr, long fileSize, long memSize) {
    }

    public ElfImage {
        segments = List.copyOf(segments);
    }

    /**
     * Parses an image.
     *
     * @throws BadGuestImage naming {@code name} and the first problem found
     */
    public static ElfImage parse(String name, byte[] file) {
        ByteBuffer b = ByteBuffer.wrap(file).order(ByteOrder.LITTLE_ENDIAN);
        if (file.length < 16 || b.getInt(0) != ELF_MAGIC) {
            throw new BadGuestImage(name, "not an ELF file (no \\x7fELF magic)");
        }
        int cls = file[4];
        if (cls != ELFCLASS32 && cls != ELFCLASS64) {
            throw new BadGuestImage(name, "unknown ELF class " + cls + " (expected 1 for ELF32 or 2 for ELF64)");
        }
        if (file[5] != ELFDATA2LSB) {
            throw new BadGuestImage(name, "not little-endian (EI_DATA " + file[5] + "): only x86 guests are supported");
        }
        boolean is64 = cls == ELFCLASS64;
        int ehdrSize = is64 ? EHDR64 : EHDR32;
        if (file.length < ehdrSize) {
            throw new BadGuestImage(name, "truncated: " + file.length + " bytes, shorter than the "
                    + ehdrSize + "-byte ELF header");
        }
        int type = Short.toUnsignedInt(b.getShort(16));
        int machine = Short.toUnsignedInt(b.getShort(18));
        int expectedMachine = is64 ? EM_X86_64 : EM_386;
        if (machine != expectedMachine) {
            throw new BadGuestImage(name, "wrong machine " + machine + " for " + (is64 ? "ELF64" : "ELF32")
                    + " (expected " + expectedMachine + ", " + (is64 ? "EM_X86_64" : "EM_386") + ")");
        }
        if (type != ET_EXEC) {
            throw new BadGuestImage(name, "ELF type " + type + " is not an executable (ET_EXEC 2); link with -no-pie");
        }
        long entry = is64 ? b.getLong(24) : Integer.toUnsignedLong(b.getInt(24));
        long phoff = is64 ? b.getLong(32) : Integer.toUnsignedLong(b.getInt(28));
        int phentsize = Short.toUnsignedInt(b.getShort(is64 ? 54 : 42));
        int phnum = Short.toUnsignedInt(b.getShort(is64 ? 56 : 44));
        int phdrSize = is64 ? PHDR64 : PHDR32;
        if (phnum == 0) {
            throw new BadGuestImage(name, "no program headers");
        }
        if (phnum > MAX_PHDRS) {
            throw new BadGuestImage(name, phnum + " program headers, more than " + MAX_PHDRS);
        }
        if (phentsize < phdrSize) {
            throw new BadGuestImage(name, "program header size " + phentsize + " is smaller than " + phdrSize);
        }
        if (!fits(phoff, (long) phentsize * phnum, file.length)) {
            throw new BadGuestImage(name, "truncated: program headers at " + phoff + " (" + phnum + " x " + phentsize
                    + " bytes) run past the end of the " + file.length + "-byte file");
        }
        List<Segment> segments = new ArrayList<>();
        for (int i = 0; i < phnum; i++) {
            int at = (int) (phoff + (long) i * phentsize);
            ElfBytes.ProgramHeader ph = ElfBytes.ProgramHeader.at(b, is64, at);
            if (ph.type() != PT_LOAD) {
                continue;
            }
            Segment s = new Segment(ph.offset(), ph.paddr(), ph.fileSize(), ph.memSize());
            if (s.fileSize() < 0 || s.memSize() < 0 || s.fileSize() > s.memSize()) {
                throw new BadGuestImage(name, "segment " + i + ": file size 0x" + Long.toHexString(s.fileSize())
                        + " exceeds its memory size 0x" + Long.toHexString(s.memSize()));
            }
            if (!fits(s.fileOffset(), s.fileSize(), file.length)) {
                throw new BadGuestImage(name, "truncated: segment " + i + " needs file bytes [0x"
                        + Long.toHexString(s.fileOffset()) + ", +0x" + Long.toHexString(s.fileSize())
                        + ") but the file has " + file.length + " bytes");
            }
            segments.add(s);
        }
        if (segments.isEmpty()) {
            throw new BadGuestImage(name, "no PT_LOAD segment");
        }
        return new ElfImage(name, is64, entry, segments);
    }

    /**
     * Guest-physical bytes {@code [start, end)} the boot code writes itself, which no segment may
     * overlap; {@code what} names them in the error.
     */
    public record Reserved(long start, long end, String what) {

        /** Nothing reserved. */
        public static final Reserved NONE = new Reserved(0, 0, "nothing");
    }

    /**
     * Copies the segments into RAM and zeroes their .bss parts; for the guest kit, below
     * {@code reservedEnd} lie the boot structures (GDT, page tables, stack).
     *
     * @throws BadGuestImage when a segment lies outside low RAM or over the boot area
     */
    public void loadInto(GuestRam ram, byte[] file, long reservedEnd) {
        loadInto(ram, file, new Reserved(0, reservedEnd, "the boot area [0, 0x" + Long.toHexString(reservedEnd)
                + ") (GDT, page tables, stack): link it at 0x100000"));
    }

    /**
     * Copies the segments into low RAM and zeroes their .bss parts.
     *
     * @throws BadGuestImage when a segment lies outside low RAM or overlaps {@code reserved}
     */
    public void loadInto(GuestRam ram, byte[] file, Reserved reserved) {
        long low = ram.lowRamEnd();
        for (int i = 0; i < segments.size(); i++) {
            Segment s = segments.get(i);
            String where = "[0x" + Long.toHexString(s.paddr()) + ", +0x" + Long.toHexString(s.memSize()) + ")";
            if (s.paddr() < 0 || s.memSize() > low || s.paddr() > low - s.memSize()) {
                throw new BadGuestImage(name, "segment " + where + " lies outside the guest's RAM [0, 0x"
                        + Long.toHexString(low) + "): give the guest more memory or link it lower");
            }
            if (s.memSize() > 0 && s.paddr() < reserved.end() && s.paddr() + s.memSize() > reserved.start()) {
                throw new BadGuestImage(name, "segment " + where + " overlaps " + reserved.what());
            }
            try {
                ram.write(s.paddr(), file, (int) s.fileOffset(), (int) s.fileSize());
                ram.fill(s.paddr() + s.fileSize(), s.memSize() - s.fileSize(), (byte) 0);
            } catch (GuestFault impossible) {
                throw new IllegalStateException("bounds were checked above: " + impossible.getMessage(), impossible);
            }
        }
    }
}
