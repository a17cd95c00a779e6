package dev.hcdiff.oracle.hyperv;

/**
 * HV_STATUS codes, the low 16 bits of a hypercall result value. Values from the TLFS v6.0b
 * Appendix B "Hypercall Status Code Reference", cross-checked with Linux
 * {@code include/hyperv/hvgdk_mini.h} and QEMU {@code include/hw/hyperv/hyperv-proto.h}
 * (hyperv-abi.md §3). Only the codes the model can return are listed.
 */
public final class HvStatus {

    private HvStatus() {
    }

    /** 0x0000 HV_STATUS_SUCCESS. */
    public static final int SUCCESS = 0x0000;
    /** 0x0002 HV_STATUS_INVALID_HYPERCALL_CODE: the call code is not recognised. */
    public static final int INVALID_HYPERCALL_CODE = 0x0002;
    /** 0x0003 HV_STATUS_INVALID_HYPERCALL_INPUT: reserved bit set, bad rep count or start, bad header size. */
    public static final int INVALID_HYPERCALL_INPUT = 0x0003;
    /** 0x0004 HV_STATUS_INVALID_ALIGNMENT: a GPA not 8-byte aligned, a list spanning pages, or outside the GPA space. */
    public static final int INVALID_ALIGNMENT = 0x0004;
    /** 0x0005 HV_STATUS_INVALID_PARAMETER. */
    public static final int INVALID_PARAMETER = 0x0005;
    /** 0x0006 HV_STATUS_ACCESS_DENIED: the partition lacks the privilege. */
    public static final int ACCESS_DENIED = 0x0006;
    /** 0x0008 HV_STATUS_OPERATION_DENIED. */
    public static final int OPERATION_DENIED = 0x0008;
    /** 0x000B HV_STATUS_INSUFFICIENT_MEMORY (QEMU answers it when the PostMessage input cannot be mapped). */
    public static final int INSUFFICIENT_MEMORY = 0x000B;
    /** 0x000D HV_STATUS_INVALID_PARTITION_ID. */
    public static final int INVALID_PARTITION_ID = 0x000D;
    /** 0x000E HV_STATUS_INVALID_VP_INDEX. */
    public static final int INVALID_VP_INDEX = 0x000E;
    /** 0x0011 HV_STATUS_INVALID_PORT_ID. */
    public static final int INVALID_PORT_ID = 0x0011;
    /** 0x0012 HV_STATUS_INVALID_CONNECTION_ID. */
    public static final int INVALID_CONNECTION_ID = 0x0012;
    /**
     * 0x0013 HV_STATUS_INSUFFICIENT_BUFFERS. TLFS v5.0C/v6.0b Appendix B misprint it as 0x0033,
     * which is INSUFFICIENT_BUFFER (singular); hvgdk_mini.h, QEMU, Xen and OpenVMM all say 0x13
     * (hyperv-abi.md §9 pitfall 1).
     */
    public static final int INSUFFICIENT_BUFFERS = 0x0013;
    /** 0x0018 HV_STATUS_INVALID_SYNIC_STATE: SynIC or SIEF disabled, or the SINT masked. */
    public static final int INVALID_SYNIC_STATE = 0x0018;

    /** The TLFS name without the {@code HV_STATUS_} prefix, or the hex value when not listed. */
    public static String name(int status) {
        return switch (status) {
            case SUCCESS -> "SUCCESS";
            case INVALID_HYPERCALL_CODE -> "INVALID_HYPERCALL_CODE";
            case INVALID_HYPERCALL_INPUT -> "INVALID_HYPERCALL_INPUT";
            case INVALID_ALIGNMENT -> "INVALID_ALIGNMENT";
            case INVALID_PARAMETER -> "INVALID_PARAMETER";
            case ACCESS_DENIED -> "ACCESS_DENIED";
            case OPERATION_DENIED -> "OPERATION_DENIED";
            case INSUFFICIENT_MEMORY -> "INSUFFICIENT_MEMORY";
            case INVALID_PARTITION_ID -> "INVALID_PARTITION_ID";
            case INVALID_VP_INDEX -> "INVALID_VP_INDEX";
            case INVALID_PORT_ID -> "INVALID_PORT_ID";
            case INVALID_CONNECTION_ID -> "INVALID_CONNECTION_ID";
            case INSUFFICIENT_BUFFERS -> "INSUFFICIENT_BUFFERS";
            case INVALID_SYNIC_STATE -> "INVALID_SYNIC_STATE";
            default -> String.format("0x%04x", status);
        };
    }

    /**
     * The hypercall result value (TLFS "Hypercall Outputs"): status in bits 15:0, reps completed
     * in bits 43:32 (the markdown's "RsvdZ 63-40" overlaps and is a typo, hyperv-abi.md §2.4).
     */
    public static long result(int status, int repsCompleted) {
        return (status & 0xffffL) | ((repsCompleted & 0xfffL) << 32);
    }

    /** The reps-completed field (bits 43:32) of a result value. */
    public static int repsCompletedOf(long result) {
        return (int) ((result >>> 32) & 0xfff);
    }

    /** The status field of a result value. */
    public static int statusOf(long result) {
        return (int) (result & 0xffff);
    }
}
