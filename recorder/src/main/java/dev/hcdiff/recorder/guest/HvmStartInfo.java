package dev.hcdiff.recorder.guest;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The {@code struct hvm_start_info} block libxc writes for an HVM or PVH domain, with what follows
 * it, laid out exactly as {@code alloc_magic_pages_hvm()} sizes it and {@code bootlate_hvm()}
 * fills it ({@code tools/libs/guest/xg_dom_x86.c}); structures from
 * {@code xen/include/public/arch-x86/hvm/start_info.h} (identical in 32- and 64-bit):
 *
 * <pre>
 * +0        struct hvm_start_info (56 bytes): magic 0x336ec578, version 1, flags, nr_modules,
 *           modlist_paddr, cmdline_paddr, rsdp_paddr, memmap_paddr, memmap_entries, reserved
 * +56       the command line, NUL-terminated, padded to 8 (PVH only: libxc passes none to a
 *           domain with a device model)
 * +56+c     hvm_modlist_entry[HVMLOADER_MODULE_MAX_COUNT = 2] (32 bytes each), then
 *           HVMLOADER_MODULE_MAX_COUNT command lines of MAX_GUEST_CMDLINE (1024) bytes
 * +56+c+2112  hvm_memmap_table_entry[memmap_entries] (24 bytes each)
 * </pre>
 * No modules are passed (no "firmware" module: hvmloader then stops at "no BIOS ROM image
 * found"), so modlist_paddr stays 0; no ACPI tables, so rsdp_paddr is 0.
 */
public final class HvmStartInfo {

    private HvmStartInfo() {
    }

    /** {@code start_info.h}: XEN_HVM_START_MAGIC_VALUE. */
    public static final int MAGIC = 0x336e_c578;
    /** The structure version libxc writes. */
    public static final int VERSION = 1;
    /** {@code sizeof(struct hvm_start_info)}. */
    public static final int SIZE = 56;
    static final int NR_MODULES = 12;
    static final int MODLIST_PADDR = 16;
    static final int CMDLINE_PADDR = 24;
    static final int RSDP_PADDR = 32;
    static final int MEMMAP_PADDR = 40;
    static final int MEMMAP_ENTRIES = 48;
    /** {@code sizeof(struct hvm_modlist_entry)}. */
    static final int MODLIST_ENTRY = 32;
    /** {@code sizeof(struct hvm_memmap_table_entry)}. */
    static final int MEMMAP_ENTRY = 24;
    /** {@code xg_dom_x86.c}: HVMLOADER_MODULE_MAX_COUNT 2. */
    static final int MODULE_MAX_COUNT = 2;
    /** {@code xg_dom_x86.c}: HVMLOADER_MODULE_CMDLINE_SIZE = MAX_GUEST_CMDLINE ({@code xen/include/public/xen.h}: 1024). */
    public static final int MAX_GUEST_CMDLINE = 1024;

    /** One e820-style entry of the memory map ({@code struct hvm_memmap_table_entry}). */
    public record MemmapEntry(long addr, long size, int type) {
    }

    /**
     * The block's bytes for a block at guest-physical {@code gpa}.
     *
     * @param cmdline the kernel command line, or null for none (always none with a device model)
     * @param memmap  the e820 the toolstack set with XENMEM_set_memory_map
     * @throws IllegalArgumentException for a command line of {@link #MAX_GUEST_CMDLINE} bytes or
     *                                  more, or one containing NUL
     */
    public static byte[] build(long gpa, String cmdline, List<MemmapEntry> memmap) {
        byte[] cmd = cmdline == null ? new byte[0] : cmdline.getBytes(StandardCharsets.UTF_8);
        if (cmdline != null && (cmd.length >= MAX_GUEST_CMDLINE || cmdline.indexOf('\0') >= 0)) {
            throw new IllegalArgumentException("the command line must be shorter than " + MAX_GUEST_CMDLINE
                    + " bytes and contain no NUL, got " + cmd.length + " bytes");
        }
        // dom->cmdline_size = ROUNDUP(strlen(dom->cmdline) + 1, 8)
        int cmdlineSize = cmdline == null ? 0 : (cmd.length + 1 + 7) & ~7;
        int modlist = SIZE + cmdlineSize;
        int modsize = MODULE_MAX_COUNT * (MODLIST_ENTRY + MAX_GUEST_CMDLINE);
        int memmapAt = modlist + modsize;
        ByteBuffer b = ByteBuffer.allocate(memmapAt + memmap.size() * MEMMAP_ENTRY).order(ByteOrder.LITTLE_ENDIAN);
        b.putInt(0, MAGIC);
        b.putInt(4, VERSION);
        if (cmdline != null) {
            b.put(SIZE, cmd);
            b.putLong(CMDLINE_PADDR, gpa + SIZE);
        }
        b.putLong(MEMMAP_PADDR, gpa + memmapAt);
        b.putInt(MEMMAP_ENTRIES, memmap.size());
        for (int i = 0; i < memmap.size(); i++) {
            MemmapEntry e = memmap.get(i);
            int at = memmapAt + i * MEMMAP_ENTRY;
            b.putLong(at, e.addr());
            b.putLong(at + 8, e.size());
            b.putInt(at + 16, e.type());
        }
        return b.array();
    }
}
