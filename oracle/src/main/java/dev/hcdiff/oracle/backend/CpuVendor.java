package dev.hcdiff.oracle.backend;

/**
 * The CPU vendor the partition runs on: it decides the hypercall instruction a hypervisor writes
 * into the hypercall page (TLFS "Establishing the Hypercall Interface": the page abstracts that the
 * opcode "differs among virtualization implementations").
 */
public enum CpuVendor {
    /** Intel VMX: {@code vmcall} = 0F 01 C1 (Intel SDM Vol. 2B, VMCALL). */
    INTEL("intel", new byte[] {0x0f, 0x01, (byte) 0xc1}),
    /** AMD SVM: {@code vmmcall} = 0F 01 D9 (AMD APM Vol. 3, VMMCALL). */
    AMD("amd", new byte[] {0x0f, 0x01, (byte) 0xd9});

    private final String textName;
    private final byte[] hypercallInstruction;

    CpuVendor(String textName, byte[] hypercallInstruction) {
        this.textName = textName;
        this.hypercallInstruction = hypercallInstruction;
    }

    public String textName() {
        return textName;
    }

    /** The 3-byte hypercall instruction. */
    public byte[] hypercallInstruction() {
        return hypercallInstruction.clone();
    }

    /** @throws IllegalArgumentException naming the bad value */
    public static CpuVendor fromTextName(String name) {
        for (CpuVendor v : values()) {
            if (v.textName.equals(name)) {
                return v;
            }
        }
        throw new IllegalArgumentException("unknown CPU vendor '" + name + "' (expected intel or amd)");
    }
}
