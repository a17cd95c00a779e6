package dev.hcdiff.oracle.hyperv;

/**
 * Which reading of the TLFS the model follows where implementations disagree (hyperv-abi.md
 * header: "The model should take a personality switch rather than pick one silently").
 */
public enum HvPersonality {
    /** The TLFS as written, with Microsoft's OpenVMM as tie-breaker where it is silent. */
    TLFS("tlfs"),
    /** Linux {@code arch/x86/kvm/hyperv.c} with QEMU {@code hw/hyperv/} as userspace, enforce-CPUID on. */
    KVM("kvm"),
    /** Xen's viridian ({@code xen/arch/x86/hvm/viridian/}). */
    XEN_VIRIDIAN("xen-viridian");

    private final String textName;

    HvPersonality(String textName) {
        this.textName = textName;
    }

    /** The configuration value. */
    public String textName() {
        return textName;
    }

    /** @throws IllegalArgumentException naming the bad value and the accepted ones */
    public static HvPersonality fromTextName(String name) {
        for (HvPersonality p : values()) {
            if (p.textName.equals(name)) {
                return p;
            }
        }
        throw new IllegalArgumentException("unknown Hyper-V personality '" + name + "' (expected tlfs, kvm or xen-viridian)");
    }
}
