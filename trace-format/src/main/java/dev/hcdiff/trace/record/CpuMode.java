package dev.hcdiff.trace.record;

/**
 * The vCPU's execution mode when it made a request, as Xen classifies it
 * ({@code xen/arch/x86/hvm/hvm.c: hvm_guest_x86_mode()}: 0 real, 1 vm86, 2 16-bit protected,
 * 4 32-bit protected, 8 64-bit). Xen latches guest state from it, e.g. the 32- or 64-bit
 * shared_info layout at the hypercall-page MSR write ({@code hvm_latch_shinfo_size()}).
 */
public enum CpuMode {
    REAL("real", 0),
    VM86("vm86", 1),
    PROTECTED16("pm16", 2),
    PROTECTED32("pm32", 4),
    LONG64("long64", 8);

    private final String textName;
    private final int xenMode;

    CpuMode(String textName, int xenMode) {
        this.textName = textName;
        this.xenMode = xenMode;
    }

    /** The name in {@code .hct} files. */
    public String textName() {
        return textName;
    }

    /** The value {@code hvm_guest_x86_mode()} returns. */
    public int xenMode() {
        return xenMode;
    }

    public static CpuMode fromTextName(String name) {
        for (CpuMode m : values()) {
            if (m.textName.equals(name)) {
                return m;
            }
        }
        throw new IllegalArgumentException("unknown CPU mode '" + name + "' (expected real, vm86, pm16, pm32 or long64)");
    }
}
