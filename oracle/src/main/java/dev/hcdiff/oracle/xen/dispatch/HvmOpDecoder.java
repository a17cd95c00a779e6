package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.CallContext;
import dev.hcdiff.oracle.xen.HvmOp;
import dev.hcdiff.oracle.xen.abi.XenHvmEvtchnUpcallVector;
import dev.hcdiff.oracle.xen.abi.XenHvmGetMemType;
import dev.hcdiff.oracle.xen.abi.XenHvmGetTime;
import dev.hcdiff.oracle.xen.abi.XenHvmPagetableDying;
import dev.hcdiff.oracle.xen.abi.XenHvmParam;
import dev.hcdiff.oracle.xen.abi.XenHvmXentrace;

import static dev.hcdiff.oracle.xen.abi.HvmH.*;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;

/**
 * {@code do_hvm_op(unsigned long op, arg)} (xen/arch/x86/hvm/hvm.c): the same handler serves
 * 32-bit callers (every hvm_op struct has one layout). The op is compared whole, so 64-bit callers
 * with high bits set get -ENOSYS.
 *
 * <p>The argument copies and checks both personalities share: the reference ({@link HvmOpDispatcher}
 * over {@link HvmOp}) and the Xen-to-Hyper-V adapter (over its own state); the sub-ops past the
 * copies are the {@link HvmOpHandler}'s.
 *
 * @param <C> the caller's context
 */
public final class HvmOpDecoder<C extends CallContext> {

    private static final GuestCopy.Codec<XenHvmParam> PARAM =
            new GuestCopy.Codec<>(XenHvmParam::size, XenHvmParam::decode, XenHvmParam::encode);
    private static final GuestCopy.Codec<XenHvmGetMemType> GET_MEM_TYPE =
            new GuestCopy.Codec<>(XenHvmGetMemType::size, XenHvmGetMemType::decode, XenHvmGetMemType::encode);

    private final HvmOpHandler<C> hvm;

    public HvmOpDecoder(HvmOpHandler<C> hvm) {
        this.hvm = hvm;
    }

    /**
     * @return the hypercall's result, or {@link HvmOp#NO_RETURN} when it crashed the domain
     * @see xen/arch/x86/hvm/hvm.c do_hvm_op
     */
    public long doHvmOp(C current, long op, long arg, GuestMemory memory) {
        if (op < 0 || op > Integer.MAX_VALUE) {
            return current.error(ENOSYS, "do_hvm_op: bad HVM op " + Long.toUnsignedString(op));
        }
        return switch ((int) op) {
            // hvmop_set_evtchn_upcall_vector(): is_hvm_domain() (always) before the copy.
            case HVMOP_set_evtchn_upcall_vector -> GuestCopy.in(current, memory, arg,
                    "HVMOP_set_evtchn_upcall_vector", XenHvmEvtchnUpcallVector::size, XenHvmEvtchnUpcallVector::decode,
                    a -> hvm.hvmopSetEvtchnUpcallVector(current, a));
            case HVMOP_set_param -> GuestCopy.in(current, memory, arg, "HVMOP_set_param", XenHvmParam::size,
                    XenHvmParam::decode, a -> hvm.hvmopSetParam(current, a));
            case HVMOP_get_param -> GuestCopy.inOut(current, memory, arg, "HVMOP_get_param", PARAM,
                    a -> hvm.hvmopGetParam(current, a));
            case HVMOP_flush_tlbs -> arg == 0 ? hvm.flushTlbs(current) : current.error(EINVAL, "HVMOP_flush_tlbs: arg is not NULL");
            case HVMOP_get_mem_type -> GuestCopy.inOut(current, memory, arg, "HVMOP_get_mem_type", GET_MEM_TYPE,
                    a -> hvm.hvmopGetMemType(current, a));
            case HVMOP_pagetable_dying -> GuestCopy.in(current, memory, arg, "HVMOP_pagetable_dying",
                    XenHvmPagetableDying::size, XenHvmPagetableDying::decode, a -> hvm.pagetableDying(current, a));
            case HVMOP_get_time -> getTime(current, arg, memory);
            case HVMOP_xentrace -> GuestCopy.in(current, memory, arg, "HVMOP_xentrace", XenHvmXentrace::size,
                    XenHvmXentrace::decode, a -> HvmOp.xentrace(current, a));
            // monitor_guest_request() does nothing without a monitor.
            case HVMOP_guest_request_vm_event -> arg == 0 ? 0
                    : current.error(EINVAL, "HVMOP_guest_request_vm_event: arg is not NULL");
            // hvm_altp2m_supported() is false: altp2m is off unless Xen boots with altp2m=1.
            case HVMOP_altp2m -> current.error(EOPNOTSUPP, "do_altp2m_op: altp2m is not supported");
            default -> current.error(ENOSYS, "do_hvm_op: bad HVM op " + op);
        };
    }

    /** HVMOP_get_time: {@code NOW()} copied out (-EFAULT); nothing is read. */
    private long getTime(C current, long arg, GuestMemory memory) {
        long now = hvm.nowNs(current);
        try {
            memory.writeLinear(arg, new XenHvmGetTime(now).encode(current.abi()));
        } catch (GuestFault f) {
            return current.error(EFAULT, "HVMOP_get_time: copy_to_guest");
        }
        return 0;
    }
}
