package dev.hcdiff.recorder.guest;

import java.util.Locale;

/**
 * How the recorder starts a guest image.
 * <ul>
 *   <li>{@link #KIT}: the guest kit's protocol (the built-in guests): ELF64 in long mode with
 *       identity paging and the argument in RDI ({@link LongModeBoot}), ELF32 in flat protected
 *       mode with the argument in EBX ({@link ProtectedModeBoot}).</li>
 *   <li>{@link #FIRMWARE}: as libxc boots an HVM firmware image such as hvmloader
 *       ({@code tools/libs/guest/xg_dom_hvmloader.c}, {@code xg_dom_x86.c: vcpu_hvm()}): ELF32 at
 *       its load addresses, entered at {@code e_entry} in 32-bit flat protected mode with paging
 *       off, EBX = the {@code hvm_start_info}, the {@code hvm_info_table} at 0x9F800.</li>
 *   <li>{@link #PVH}: the PVH boot protocol ({@code docs/misc/pvh.pandoc}): the same CPU state,
 *       entered at the {@code XEN_ELFNOTE_PHYS32_ENTRY} note, with the command line in
 *       {@code hvm_start_info} and no hvm_info_table.</li>
 *   <li>{@link #AUTO}: PVH when the image has the note, else FIRMWARE for ELF32, KIT for ELF64.</li>
 * </ul>
 */
public enum Boot {
    AUTO("auto"),
    KIT("kit"),
    FIRMWARE("firmware"),
    PVH("pvh");

    private final String textName;

    Boot(String textName) {
        this.textName = textName;
    }

    /** The name on the command line and in journal headers ({@code boot=firmware}). */
    public String textName() {
        return textName;
    }

    /** @throws IllegalArgumentException naming the choices for an unknown name */
    public static Boot parse(String name) {
        String n = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
        for (Boot b : values()) {
            if (b.textName.equals(n)) {
                return b;
            }
        }
        throw new IllegalArgumentException("unknown boot protocol '" + name + "' (expected auto, kit, firmware or pvh)");
    }
}
