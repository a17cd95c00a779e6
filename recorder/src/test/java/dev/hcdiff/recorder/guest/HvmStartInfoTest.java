package dev.hcdiff.recorder.guest;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * The hvm_start_info block in libxc's layout (tools/libs/guest/xg_dom_x86.c
 * alloc_magic_pages_hvm() and bootlate_hvm(); xen/include/public/arch-x86/hvm/start_info.h):
 * struct (56) | command line padded to 8 | 2 module entries (2 x 32) and 2 module command lines
 * (2 x 1024) | memory map (24 per entry).
 */
class HvmStartInfoTest {

    private static final long AT = 0x134000;

    @Test
    void firmwareBlockHasNoCommandLineAndItsMemmapAfterTheModuleArea() {
        byte[] b = HvmStartInfo.build(AT, null, List.of(new HvmStartInfo.MemmapEntry(0x100000, 0x3f00000, 1)));
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        assertEquals(56 + 2 * 32 + 2 * 1024 + 24, b.length);
        assertEquals(0x336ec578, bb.getInt(0));
        assertEquals(1, bb.getInt(4));
        assertEquals(0, bb.getInt(12), "nr_modules");
        assertEquals(0, bb.getLong(16), "modlist_paddr stays 0 without modules");
        assertEquals(0, bb.getLong(24), "cmdline_paddr");
        assertEquals(0, bb.getLong(32), "rsdp_paddr");
        assertEquals(AT + 56 + 2112, bb.getLong(40), "memmap_paddr");
        assertEquals(1, bb.getInt(48));
        assertEquals(0x100000, bb.getLong(2168));
        assertEquals(0x3f00000, bb.getLong(2176));
        assertEquals(1, bb.getInt(2184));
    }

    @Test
    void pvhCommandLineFollowsTheStructPaddedToEightBytes() {
        byte[] b = HvmStartInfo.build(AT, "abcdefgh", List.of());
        ByteBuffer bb = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
        // ROUNDUP(strlen + 1, 8) = 16 bytes of command line.
        assertEquals(AT + 56, bb.getLong(24));
        assertEquals("abcdefgh", new String(b, 56, 8));
        assertEquals(0, b[64], "NUL-terminated");
        assertEquals(AT + 56 + 16 + 2112, bb.getLong(40));
        assertEquals(56 + 16 + 2112, b.length);
    }

    @Test
    void aCommandLineOfMaxGuestCmdlineBytesIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> HvmStartInfo.build(AT, "x".repeat(1024), List.of()));
        assertEquals("the command line must be shorter than 1024 bytes and contain no NUL, got 1024 bytes", e.getMessage());
    }
}
