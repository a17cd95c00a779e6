package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.xen.abi.XenErrno;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Observation;

/**
 * The model's {@code current}: the vCPU serving the request, its ABI, the virtual time and the
 * observation being collected. Xen's functions read {@code current}; ours take it as their first
 * parameter.
 *
 * @param vcpu     the calling vCPU
 * @param abi      the ABI of the request (XEN64 for non-hypercall requests)
 * @param nowNs    virtual time in ns since VM creation, which the model uses as Xen system time
 * @param observed what the guest will observe
 */
public record Current(XenVcpu vcpu, Abi abi, long nowNs, Observation.Builder observed) implements CallContext {

    /** The trail entry of a call the model does not implement: reports count them by this text. */
    public static final String UNMODELLED = Observation.UNMODELLED;

    /**
     * A named error path: records {@code "<why> -> -EXXX"} in the trail and returns {@code -errno}.
     */
    @Override
    public long error(int errno, String why) {
        observed.trail(why + " -> " + XenErrno.name(-errno));
        return -errno;
    }

    /** A call the model does not implement yet: trail {@code "unmodelled"}, result -ENOSYS. */
    @Override
    public long unmodelled() {
        observed.trail(UNMODELLED);
        return -XenErrno.ENOSYS;
    }

    /** Adds a note to the trail (reports only). */
    @Override
    public void note(String step) {
        observed.trail(step);
    }
}
