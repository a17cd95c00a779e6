package dev.hcdiff.oracle.xen;

import dev.hcdiff.trace.record.Abi;

/**
 * What decoding a Xen hypercall needs from whoever serves it: the caller's ABI and a way to fail,
 * note and give up the way reports read. The reference's {@link Current} and the adapter's call
 * both are one, so the two share Xen's argument decoding and validation
 * ({@link dev.hcdiff.oracle.xen.dispatch.MemoryOpDecoder}).
 */
public interface CallContext {

    /** The caller's ABI: the struct layouts depend on it. */
    Abi abi();

    /** A named error path: records {@code "<why> -> -EXXX"} in the trail and returns {@code -errno}. */
    long error(int errno, String why);

    /** A call the server does not implement: trail {@code "unmodelled"}, result -ENOSYS. */
    long unmodelled();

    /** Adds a note to the trail (reports only). */
    void note(String step);
}
