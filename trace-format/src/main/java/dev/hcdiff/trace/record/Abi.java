package dev.hcdiff.trace.record;

/**
 * The hypercall calling convention a guest used for one call.
 *
 * <p>The register sets follow {@code xen/arch/x86/hvm/hypercall.c: hvm_hypercall()} for Xen and
 * the TLFS "Hypercall Interface" section for Hyper-V.
 */
public enum Abi {
    /** Xen, 64-bit guest mode: number in rax; arguments rdi, rsi, rdx, r10, r8 (r9 for a 6th); result rax. */
    XEN64("xen64"),
    /** Xen, 32-bit (and 16-bit/real) guest mode: number in eax; arguments ebx, ecx, edx, esi, edi (ebp); result eax. */
    XEN32("xen32"),
    /** Hyper-V x64: input value rcx, input GPA or param 1 rdx, output GPA or param 2 r8; result rax. */
    HV64("hv64");

    private final String textName;

    Abi(String textName) {
        this.textName = textName;
    }

    /** The name used in {@code .hct} files and reports. */
    public String textName() {
        return textName;
    }

    /** @throws IllegalArgumentException naming the bad value */
    public static Abi fromTextName(String name) {
        for (Abi abi : values()) {
            if (abi.textName.equals(name)) {
                return abi;
            }
        }
        throw new IllegalArgumentException("unknown ABI '" + name + "' (expected xen64, xen32 or hv64)");
    }
}
