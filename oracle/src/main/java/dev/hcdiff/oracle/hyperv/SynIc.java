package dev.hcdiff.oracle.hyperv;

import java.util.Arrays;

/**
 * One VP's synthetic interrupt controller registers (TLFS "Inter-Partition Communication";
 * hyperv-abi.md §5, §6). Plain state; the rules live in {@link SyntheticMsrs} and {@link HvCalls}.
 */
public final class SynIc {

    /** SCONTROL bit 0, Enable. */
    public static final long SCONTROL_ENABLE = 1L;
    /** SIEFP/SIMP bit 0, Enable. */
    public static final long PAGE_ENABLE = 1L;
    /** SIEFP/SIMP bits 63:12, the page's GPFN. */
    public static final long PAGE_GPFN_MASK = ~0xfffL;
    /** SINTx bits 7:0, vector. */
    public static final long SINT_VECTOR_MASK = 0xffL;
    /** SINTx bit 16, Masked. */
    public static final long SINT_MASKED = 1L << 16;
    /** SINTx bit 18, Polling: the SINT counts as unmasked but raises no interrupt (TLFS "SINT Polling"). */
    public static final long SINT_POLLING = 1L << 18;
    /** SINTx reset value: masked, vector 0 (TLFS "Inter-Partition Communication"). */
    public static final long SINT_RESET = SINT_MASKED;
    /** SVERSION reads 1 (TLFS; Linux HV_SYNIC_VERSION_1). */
    public static final long VERSION = 1L;
    /** Vectors below 16 are architecturally reserved; a SINT may not use them (TLFS "SINTx Registers"). */
    public static final int FIRST_VALID_VECTOR = 16;
    /** Bytes of HV_SYNIC_EVENT_FLAGS per SINT in the SIEF page (TLFS datatype hv_synic_event_flags). */
    public static final int EVENT_FLAGS_BYTES = 256;

    long scontrol;
    long siefp;
    long simp;
    final long[] sint = new long[HvPort.SINT_COUNT];

    /** @param scontrolReset SCONTROL at reset: 0 per TLFS, 1 in KVM and OpenVMM (hyperv-abi.md §9 pitfall 10) */
    SynIc(long scontrolReset) {
        this.scontrol = scontrolReset;
        Arrays.fill(sint, SINT_RESET);
    }

    public boolean enabled() {
        return (scontrol & SCONTROL_ENABLE) != 0;
    }

    public boolean siefEnabled() {
        return (siefp & PAGE_ENABLE) != 0;
    }

    public long siefp() {
        return siefp;
    }

    public long simp() {
        return simp;
    }

    public long scontrol() {
        return scontrol;
    }

    public long sint(int n) {
        return sint[n];
    }

    public boolean masked(int n) {
        return (sint[n] & SINT_MASKED) != 0;
    }

    public boolean polling(int n) {
        return (sint[n] & SINT_POLLING) != 0;
    }

    public int vector(int n) {
        return (int) (sint[n] & SINT_VECTOR_MASK);
    }

    /**
     * Where flag {@code flag} of SINT {@code sint} lives in a SIEF page: byte
     * {@code sint * 256 + flag / 8}, bit {@code flag % 8} (TLFS datatype hv_synic_event_flags).
     */
    public static long siefByteOffset(int sint, int flag) {
        return (long) sint * EVENT_FLAGS_BYTES + flag / 8;
    }

    /** The bit of the byte at {@link #siefByteOffset} that holds the flag. */
    public static int siefBit(int flag) {
        return flag % 8;
    }
}
