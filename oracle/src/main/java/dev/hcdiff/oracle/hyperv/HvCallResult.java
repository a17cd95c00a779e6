package dev.hcdiff.oracle.hyperv;

import dev.hcdiff.trace.record.Fault;

/**
 * What a hypercall gives the guest: the result value in RAX (status | reps completed &lt;&lt; 32,
 * TLFS "Hypercall Outputs"), or an exception instead of completing.
 *
 * @param value the result value; 0 when {@link #fault} is not {@link Fault#NONE} (RAX is then
 *              whatever the guest had in it)
 * @param fault {@link Fault#UD} when the call raised #UD, else {@link Fault#NONE}
 */
public record HvCallResult(long value, Fault fault) {

    /** A completed call. */
    public static HvCallResult of(long value) {
        return new HvCallResult(value, Fault.NONE);
    }

    /** #UD instead of a result. */
    public static HvCallResult undefinedOpcode() {
        return new HvCallResult(0, Fault.UD);
    }

    public boolean faulted() {
        return fault != Fault.NONE;
    }
}
