package dev.hcdiff.oracle.hyperv;

/**
 * A decoded hypercall input value (RCX on x64), TLFS "Hypercall Inputs":
 *
 * <pre>
 *   15:0  call code          16    fast
 *   26:17 variable header    31:27 RsvdZ
 *   43:32 rep count          47:44 RsvdZ
 *   59:48 rep start index    63:60 RsvdZ
 * </pre>
 *
 * Bit 31 is "Is Nested" in newer TLFS text; Linux/KVM count it as reserved
 * ({@code HV_HYPERCALL_RSVD0_MASK} = GENMASK(31,27), hvgdk_mini.h) and so does the TLFS markdown's
 * table "RsvdZ 31-27", so this model does too (hyperv-abi.md §2.2).
 *
 * @param raw the input value as the guest passed it
 */
public record HypercallInput(long raw) {

    /** Bit 16 (HV_HYPERCALL_FAST_BIT). */
    public static final long FAST_BIT = 1L << 16;
    /** Bits 26:17 (HV_HYPERCALL_VARHEAD_MASK). */
    public static final long VARHEAD_MASK = 0x3ffL << 17;
    /** Bits 31:27 (HV_HYPERCALL_RSVD0_MASK). */
    public static final long RSVD0_MASK = 0x1fL << 27;
    /** Bits 43:32 (HV_HYPERCALL_REP_COMP_MASK). */
    public static final long REP_COUNT_MASK = 0xfffL << 32;
    /** Bits 47:44 (HV_HYPERCALL_RSVD1_MASK). */
    public static final long RSVD1_MASK = 0xfL << 44;
    /** Bits 59:48 (HV_HYPERCALL_REP_START_MASK). */
    public static final long REP_START_MASK = 0xfffL << 48;
    /** Bits 63:60 (HV_HYPERCALL_RSVD2_MASK). */
    public static final long RSVD2_MASK = 0xfL << 60;
    /** All RsvdZ bits of the input value. */
    public static final long RESERVED_MASK = RSVD0_MASK | RSVD1_MASK | RSVD2_MASK;

    /** Bits 15:0. */
    public int code() {
        return (int) (raw & 0xffff);
    }

    public boolean fast() {
        return (raw & FAST_BIT) != 0;
    }

    /** Variable header size in qwords, bits 26:17. */
    public int variableHeaderSize() {
        return (int) ((raw & VARHEAD_MASK) >>> 17);
    }

    public int repCount() {
        return (int) ((raw & REP_COUNT_MASK) >>> 32);
    }

    public int repStart() {
        return (int) ((raw & REP_START_MASK) >>> 48);
    }

    /** True when any RsvdZ bit is set. */
    public boolean reservedBitsSet() {
        return (raw & RESERVED_MASK) != 0;
    }

    /**
     * The TLFS "Common Hypercall Status Codes" check of the input value for a call of the given
     * class: reserved bits, a rep count or start index on a simple call, a zero rep count or a
     * start index not below the count on a rep call, a variable header on a call without one.
     *
     * @return {@link HvStatus#INVALID_HYPERCALL_INPUT} or {@link HvStatus#SUCCESS}
     */
    public int validate(CallShape shape) {
        if (reservedBitsSet()) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        return validateShape(shape);
    }

    /** {@link #validate} without the reserved-bit check (KVM checks those earlier, for every code). */
    public int validateShape(CallShape shape) {
        if (shape.rep()) {
            if (repCount() == 0 || repStart() >= repCount()) {
                return HvStatus.INVALID_HYPERCALL_INPUT;
            }
        } else if (repCount() != 0 || repStart() != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        if (!shape.variableHeader() && variableHeaderSize() != 0) {
            return HvStatus.INVALID_HYPERCALL_INPUT;
        }
        return HvStatus.SUCCESS;
    }

    /**
     * The class of a call: simple or rep (TLFS "Hypercall Classes"), and whether it accepts a
     * variable-sized input header (TLFS "Variable Sized Hypercall Input Headers").
     */
    public record CallShape(boolean rep, boolean variableHeader) {
        /** A simple call with a fixed header: NotifyLongSpinWait, SignalEvent, PostDebugData. */
        public static final CallShape SIMPLE = new CallShape(false, false);
    }

    /** An input value for {@code code}, simple, with the fast bit as given. */
    public static long simple(int code, boolean fast) {
        return (code & 0xffffL) | (fast ? FAST_BIT : 0);
    }

    /**
     * An input value for rep call {@code code}: rep count in bits 43:32, start index in 59:48,
     * variable header size (qwords) in 26:17 (TLFS "Hypercall Inputs").
     *
     * @throws IllegalArgumentException for a field that does not fit its bits
     */
    public static long rep(int code, int count, int start, int variableHeaderQwords) {
        if (count < 0 || count > 0xfff || start < 0 || start > 0xfff || variableHeaderQwords < 0 || variableHeaderQwords > 0x3ff) {
            throw new IllegalArgumentException("rep count " + count + ", start " + start + " (12 bits each) or variable header "
                    + variableHeaderQwords + " (10 bits) out of range");
        }
        return (code & 0xffffL) | ((long) variableHeaderQwords << 17) | ((long) count << 32) | ((long) start << 48);
    }

    @Override
    public String toString() {
        return String.format("HypercallInput[code=0x%x, fast=%b, varhdr=%d, reps=%d, start=%d, rsvd=%b]",
                code(), fast(), variableHeaderSize(), repCount(), repStart(), reservedBitsSet());
    }
}
