package dev.hcdiff.recorder.guest;

import java.nio.ByteBuffer;

/**
 * Little-endian reads of an ELF file shared by {@link ElfImage} (the loader) and
 * {@link XenElfNotes} (the PVH note walk): one program-header layout, one bounds rule.
 */
final class ElfBytes {

    private ElfBytes() {
    }

    /**
     * One program header (gABI "Program Header"): Elf32_Phdr {type, offset, vaddr, paddr, filesz,
     * memsz, ...} at offsets 0, 4, 8, 12, 16, 20; Elf64_Phdr {type, flags, offset, vaddr, paddr,
     * filesz, memsz, ...} at 0, 4, 8, 16, 24, 32, 40.
     */
    record ProgramHeader(int type, long offset, long paddr, long fileSize, long memSize) {

        /** The header at byte {@code at}, which the caller has bounds-checked. */
        static ProgramHeader at(ByteBuffer b, boolean is64, int at) {
            return is64
                    ? new ProgramHeader(b.getInt(at), b.getLong(at + 8), b.getLong(at + 24), b.getLong(at + 32), b.getLong(at + 40))
                    : new ProgramHeader(b.getInt(at), u32(b, at + 4), u32(b, at + 12), u32(b, at + 16), u32(b, at + 20));
        }
    }

    static long u32(ByteBuffer b, int at) {
        return Integer.toUnsignedLong(b.getInt(at));
    }

    static int u16(ByteBuffer b, int at) {
        return Short.toUnsignedInt(b.getShort(at));
    }

    /** True when [offset, offset+length) lies inside a file of {@code size} bytes, without overflow. */
    static boolean fits(long offset, long length, long size) {
        if (offset < 0 || length < 0) {
            return false;
        }
        try {
            return Math.addExact(offset, length) <= size;
        } catch (ArithmeticException overflow) {
            return false;
        }
    }
}
