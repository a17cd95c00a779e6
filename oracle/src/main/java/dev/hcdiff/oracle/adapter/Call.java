package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.abi.XenErrno;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Observation;

/**
 * One Xen request being served by the adapter: the calling vCPU, its ABI, the virtual time and the
 * observation being collected.
 */
record Call(int vcpu, Abi abi, long nowNs, Observation.Builder out) implements CallContext {

    /** The trail entry of a call the reference leaves unmodelled; the adapter answers the same. */
    static final String UNMODELLED = dev.hcdiff.trace.record.Observation.UNMODELLED;

    /** Records {@code "<why> -> -EXXX"} and returns {@code -errno}. */
    @Override
    public long error(int errno, String why) {
        out.trail(why + " -> " + XenErrno.name(-errno));
        return -errno;
    }

    /** -ENOSYS with the trail entry exactly {@value #UNMODELLED}. */
    @Override
    public long unmodelled() {
        out.trail(UNMODELLED);
        return -XenErrno.ENOSYS;
    }

    @Override
    public void note(String step) {
        out.trail(step);
    }
}
