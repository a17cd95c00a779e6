package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.HvmOp;
import dev.hcdiff.oracle.xen.Result;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenHvmPagetableDying;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;

/**
 * The hvm_op sub-ops after {@link HvmOpDecoder} has copied their arguments: the reference's
 * {@link HvmOp} over its domain, or the adapter's over its own state. The javadoc of {@link HvmOp}
 * says what Xen does in each.
 *
 * @param <C> the caller's context
 */
public interface HvmOpHandler<C extends CallContext> {

    /** HVMOP_set_evtchn_upcall_vector after the copy. */
    long hvmopSetEvtchnUpcallVector(C c, XenHvmEvtchnUpcallVector op);

    /** HVMOP_set_param after the copy: 0, a negated errno, or {@link HvmOp#NO_RETURN} when the domain crashed. */
    long hvmopSetParam(C c, XenHvmParam a);

    /** HVMOP_get_param after the copy: the struct with its value, copied back on success. */
    Result<XenHvmParam> hvmopGetParam(C c, XenHvmParam a);

    /** HVMOP_get_mem_type after the copy. */
    Result<XenHvmGetMemType> hvmopGetMemType(C c, XenHvmGetMemType a);

    /** HVMOP_pagetable_dying after the copy. */
    long pagetableDying(C c, XenHvmPagetableDying a);

    /** Xen's {@code NOW()} in ns, which HVMOP_get_time copies out. */
    long nowNs(C c);

    /** HVMOP_flush_tlbs with a NULL argument: every vCPU's TLB flushed; 0. */
    default long flushTlbs(C c) {
        return 0;
    }
}
