package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.trace.record.Fault;

/**
 * The outcome of an RDMSR or WRMSR on the partition.
 *
 * @param fault #GP when the access faulted, else {@link Fault#NONE}
 * @param value the value read (0 for a write or a fault)
 */
public record MsrResult(Fault fault, long value) {

    private static final MsrResult GP = new MsrResult(Fault.GP, 0);
    private static final MsrResult DONE = new MsrResult(Fault.NONE, 0);

    public static MsrResult read(long value) {
        return new MsrResult(Fault.NONE, value);
    }

    public static MsrResult done() {
        return DONE;
    }

    public static MsrResult gp() {
        return GP;
    }

    public boolean faulted() {
        return fault != Fault.NONE;
    }
}
