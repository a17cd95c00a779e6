package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.Current;
import dev.hcdiff.oracle.xen.HvmOp;

/**
 * {@code do_hvm_op(unsigned long op, arg)} (xen/arch/x86/hvm/hvm.c) for the reference: Xen's copies
 * and checks ({@link HvmOpDecoder}, which the adapter shares) over the domain's {@link HvmOp}.
 */
public final class HvmOpDispatcher {

    private final HvmOpDecoder<Current> decoder;

    public HvmOpDispatcher(HvmOp hvm) {
        this.decoder = new HvmOpDecoder<>(hvm);
    }

    /**
     * @return the hypercall's result, or {@link HvmOp#NO_RETURN} when it crashed the domain
     * @see xen/arch/x86/hvm/hvm.c do_hvm_op
     */
    public long doHvmOp(Current current, long op, long arg, GuestMemory memory) {
        return decoder.doHvmOp(current, op, arg, memory);
    }
}
