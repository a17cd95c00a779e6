package dev.hcdiff.oracle.xen.dispatch;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.Current;
import dev.hcdiff.oracle.xen.VcpuOp;
import dev.hcdiff.oracle.xen.XenVcpu;
import dev.hcdiff.oracle.xen.abi.VcpuRegisterVcpuInfo;
import dev.hcdiff.oracle.xen.abi.VcpuSetPeriodicTimer;
import dev.hcdiff.oracle.xen.abi.VcpuSetSingleshotTimer;
import dev.hcdiff.trace.record.Abi;

import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_down;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_get_physid;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_get_runstate_info;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_initialise;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_is_up;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_runstate_memory_area;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_vcpu_info;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_register_vcpu_time_memory_area;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_send_nmi;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_set_periodic_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_set_singleshot_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_stop_periodic_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_stop_singleshot_timer;
import static dev.hcdiff.oracle.xen.abi.VcpuH.VCPUOP_up;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOENT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;

/**
 * {@code vcpu_op(cmd, vcpuid, arg)} (24) and {@code set_timer_op(timeout)} (15). The vCPU lookup
 * comes before the cmd (-ENOENT). Native and compat differ in one order: native
 * set_singleshot_timer checks {@code v != current} (-EINVAL) before the copy (-EFAULT), while
 * {@code compat_common_vcpu_op()} copies the 12-byte compat struct first and then calls
 * {@code do_vcpu_op()}, which checks the target.
 *
 * @see xen/arch/x86/domain.c do_vcpu_op
 * @see xen/arch/x86/x86_64/domain.c compat_vcpu_op
 */
public final class VcpuOpDispatcher {

    /** The 8-byte guest handle of register_runstate_memory_area / register_vcpu_time_memory_area (4 in compat). */
    private static final int HANDLE_64 = 8, HANDLE_32 = 4;

    private final VcpuOp op;

    public VcpuOpDispatcher(VcpuOp op) {
        this.op = op;
    }

    /**
     * set_timer_op: 64-bit takes the s_time_t in rdi; 32-bit {@code compat_set_timer_op(lo, hi)}
     * joins ebx and ecx.
     *
     * @see xen/common/sched/core.c do_set_timer_op
     * @see xen/common/sched/compat.c compat_set_timer_op
     */
    public long setTimerOp(Current current, long a0, long a1) {
        long timeout = current.abi() == Abi.XEN32 ? (a0 & 0xffffffffL) | (a1 << 32) : a0;
        return op.timers().doSetTimerOp(current, timeout);
    }

    /** @see xen/arch/x86/domain.c do_vcpu_op */
    public long dispatch(Current current, int cmd, int vcpuid, long arg, GuestMemory memory) {
        XenVcpu v = op.lookup(current, cmd, vcpuid);
        if (v == null) {
            return -ENOENT;
        }
        boolean compat = current.abi() == Abi.XEN32;
        return switch (cmd) {
            case VCPUOP_initialise -> op.initialise(current, v);
            case VCPUOP_up -> op.up(current, v);
            case VCPUOP_down -> op.down(current, v);
            case VCPUOP_is_up -> op.isUp(current, v);
            case VCPUOP_get_runstate_info -> current.unmodelled();
            case VCPUOP_register_runstate_memory_area, VCPUOP_register_vcpu_time_memory_area -> {
                try {
                    memory.readLinear(arg, compat ? HANDLE_32 : HANDLE_64);
                } catch (GuestFault f) {
                    yield current.error(EFAULT, "vcpu_op(" + cmd + "): copy_from_guest");
                }
                yield current.unmodelled();
            }
            case VCPUOP_set_periodic_timer -> GuestCopy.in(current, memory, arg, "VCPUOP_set_periodic_timer",
                    VcpuSetPeriodicTimer::size, VcpuSetPeriodicTimer::decode, a -> op.setPeriodicTimer(current, v, a.periodNs()));
            case VCPUOP_stop_periodic_timer -> op.stopPeriodicTimer(current, v);
            case VCPUOP_set_singleshot_timer -> {
                if (!compat && v != current.vcpu()) {
                    yield current.error(EINVAL, "VCPUOP_set_singleshot_timer: vcpu " + v.vcpuId() + " is not current");
                }
                yield GuestCopy.in(current, memory, arg, "VCPUOP_set_singleshot_timer",
                        VcpuSetSingleshotTimer::size, VcpuSetSingleshotTimer::decode, a -> v != current.vcpu()
                                ? current.error(EINVAL, "VCPUOP_set_singleshot_timer: vcpu " + v.vcpuId() + " is not current")
                                : op.setSingleshotTimer(current, v, a));
            }
            case VCPUOP_stop_singleshot_timer -> v != current.vcpu()
                    ? current.error(EINVAL, "VCPUOP_stop_singleshot_timer: vcpu " + v.vcpuId() + " is not current")
                    : op.stopSingleshotTimer(current, v);
            case VCPUOP_register_vcpu_info -> GuestCopy.in(current, memory, arg, "VCPUOP_register_vcpu_info",
                    VcpuRegisterVcpuInfo::size, VcpuRegisterVcpuInfo::decode, a -> op.registerVcpuInfo(current, v, a));
            case VCPUOP_send_nmi -> op.sendNmi(current, v, arg);
            case VCPUOP_get_physid -> op.getPhysid(current, v);
            default -> current.error(ENOSYS, "vcpu_op: unknown cmd " + cmd);
        };
    }
}
