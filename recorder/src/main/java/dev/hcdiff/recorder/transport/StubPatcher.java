package dev.hcdiff.recorder.transport;

/**
 * Rewrites a hypercall page's trapping instructions into the recorder's transport: every
 * {@code 0F 01 C1} (VMCALL, Intel SDM vol. 2B) and {@code 0F 01 D9} (VMMCALL, AMD APM vol. 3)
 * becomes {@code E6 E5 90} ({@code out %al,$0xe5; nop}), same length, so every other byte of a
 * stub ({@code mov $i,%eax} before, {@code ret} after) is unchanged. On these hosts vmcall never
 * returns (kvm.md); an I/O exit does.
 */
public final class StubPatcher {

    private StubPatcher() {
    }

    /** {@code out imm8, %al} opcode (Intel SDM vol. 2B, OUT: E6 ib). */
    static final byte OUT_IMM8_AL = (byte) 0xE6;
    /** {@code nop} (90). */
    static final byte NOP = (byte) 0x90;

    /**
     * Patches {@code code} in place.
     *
     * @return the number of instructions replaced
     */
    public static int patch(byte[] code) {
        int patched = 0;
        for (int i = 0; i + 2 < code.length; i++) {
            if (isTrap(code, i)) {
                code[i] = OUT_IMM8_AL;
                code[i + 1] = (byte) TransportPort.PORT;
                code[i + 2] = NOP;
                patched++;
                i += 2;
            }
        }
        return patched;
    }

    /** True when {@code code[i..i+3)} is a vmcall or vmmcall. */
    public static boolean isTrap(byte[] code, int i) {
        return i >= 0 && i + 2 < code.length && code[i] == 0x0F && code[i + 1] == 0x01
                && (code[i + 2] == (byte) 0xC1 || code[i + 2] == (byte) 0xD9);
    }

    /** The mnemonic at {@code code[i]}: "vmcall", "vmmcall" or null. */
    public static String trapName(byte[] code, int i) {
        if (!isTrap(code, i)) {
            return null;
        }
        return code[i + 2] == (byte) 0xC1 ? "vmcall" : "vmmcall";
    }
}
