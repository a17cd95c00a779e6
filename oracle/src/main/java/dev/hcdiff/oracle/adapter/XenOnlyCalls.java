package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.xen.MiscHypercalls;
import dev.hcdiff.oracle.xen.abi.XenH;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EACCES;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * Xen hypercalls with nothing to translate: privileged or PV-only operations a domU is refused,
 * and vm_assist. Hyper-V has no counterpart, so the adapter refuses them as Xen refuses a domU,
 * from its own state (xen-abi.md §3): the privileged ops check copy (-EFAULT), interface version
 * (-EACCES) and privilege (-EPERM) in that order.
 */
final class XenOnlyCalls {

    /** Offset of {@code interface_version} in xen_platform_op, xen_sysctl and xen_domctl (after u32 cmd). */
    private static final int INTERFACE_VERSION_OFFSET = 4;
    /** {@code HVM_VM_ASSIST_MASK}: only runstate_update_flag (xen/arch/x86/include/asm/domain.h). */
    private static final long HVM_VM_ASSIST_MASK = 1L << XenH.VMASST_TYPE_runstate_update_flag;

    private final AdapterState s;

    XenOnlyCalls(AdapterState s) {
        this.s = s;
    }

    /** vm_assist (21): only runstate_update_flag is valid for HVM (-EINVAL first), cmd 0/1 else -ENOSYS. */
    @Covers(call = "vm_assist", as = Realisation.EMULATED, via = "adapter state: the HVM vm_assist mask")
    long vmAssist(Call c, int cmd, int type) {
        long t = Integer.toUnsignedLong(type);
        if (t >= Long.SIZE || (HVM_VM_ASSIST_MASK & 1L << t) == 0) {
            return c.error(EINVAL, "vm_assist: type " + t + " not for HVM");
        }
        if (cmd == XenH.VMASST_CMD_enable) {
            s.vmAssist |= 1L << t;
        } else if (cmd == XenH.VMASST_CMD_disable) {
            s.vmAssist &= ~(1L << t);
        } else {
            return c.error(ENOSYS, "vm_assist: cmd " + Integer.toUnsignedString(cmd));
        }
        return 0;
    }

    /**
     * mmuext_op (26) from an HVM guest: a NULL preemption marker returns foreigndom; else the page
     * owner decides (self -ESRCH, DOMID_SELF -EINVAL as not PV, dom0/DOMID_IO/DOMID_XEN -EPERM,
     * unknown -ESRCH). With a continuation marker Xen first reads {@code pdone} and ignores a fault.
     */
    @Covers(call = "mmuext_op", as = Realisation.EMULATED, via = "adapter policy as Xen: an HVM page owner is refused")
    long mmuextOp(Call c, GuestMemory m, long uops, int count, long pdone, int foreigndom) {
        if (count == XenH.MMU_UPDATE_PREEMPTED && uops == 0) {
            return foreigndom;
        }
        if ((count & XenH.MMU_UPDATE_PREEMPTED) != 0 && pdone != 0) {
            try {
                m.readLinear(pdone, 4);
            } catch (GuestFault ignored) {
                // Xen ignores this copy's result.
            }
        }
        int domid = foreigndom & 0xffff;
        if (domid == s.domid()) {
            return c.error(ESRCH, "mmuext_op: itself as foreign domain");
        }
        if (domid == XenH.DOMID_IO || domid == XenH.DOMID_XEN) {
            return c.error(EPERM, "mmuext_op: system domain");
        }
        return switch (s.byAnyId(domid)) {
            case SELF -> c.error(EINVAL, "mmuext_op: HVM page owner");
            case DOM0 -> c.error(EPERM, "mmuext_op: dom0");
            case NONE -> c.error(ESRCH, "mmuext_op: no domain " + domid);
        };
    }

    @Covers(call = "xsm_op", as = Realisation.EMULATED, via = "adapter policy as Xen: the dummy XSM has none, -ENOSYS")
    long xsmOp(Call c) {
        return c.error(ENOSYS, "xsm_op: dummy XSM");
    }

    @Covers(call = "xenpmu_op", as = Realisation.EMULATED, via = "adapter policy as Xen: an HVM domain has a vLAPIC, -EOPNOTSUPP")
    long xenpmuOp(Call c) {
        return c.error(EOPNOTSUPP, "xenpmu_op: HVM has a vLAPIC");
    }

    @Covers(call = "hypfs_op", as = Realisation.EMULATED, via = "adapter policy as Xen: privileged, -EPERM")
    long hypfsOp(Call c) {
        return c.error(EPERM, "hypfs_op: privileged");
    }

    @Covers(call = "platform_op", as = Realisation.EMULATED, via = "adapter policy as Xen: copy, interface version, then privileged")
    long platformOp(Call c, GuestMemory m, long arg) {
        return privileged(c, m, arg, "platform_op", MiscHypercalls.XEN_PLATFORM_OP_SIZE, MiscHypercalls.XENPF_INTERFACE_VERSION, true);
    }

    @Covers(call = "sysctl", as = Realisation.EMULATED, via = "adapter policy as Xen: copy, interface version, then privileged")
    long sysctl(Call c, GuestMemory m, long arg) {
        return privileged(c, m, arg, "sysctl", MiscHypercalls.XEN_SYSCTL_SIZE, MiscHypercalls.XEN_SYSCTL_INTERFACE_VERSION, true);
    }

    /** domctl (36): copy and interface version as Xen; past them the reference does not model it. */
    @Covers(call = "domctl", as = Realisation.EMULATED, via = "adapter policy as Xen: copy and interface version; the rest unmodelled as in the reference")
    long domctl(Call c, GuestMemory m, long arg) {
        return privileged(c, m, arg, "domctl", MiscHypercalls.XEN_DOMCTL_SIZE, MiscHypercalls.XEN_DOMCTL_INTERFACE_VERSION, false);
    }

    private static long privileged(Call c, GuestMemory m, long arg, String op, int size, int version, boolean refuse) {
        byte[] b;
        try {
            b = m.readLinear(arg, size);
        } catch (GuestFault f) {
            return c.error(EFAULT, op + ": copy in");
        }
        int v = (b[INTERFACE_VERSION_OFFSET] & 0xff) | (b[INTERFACE_VERSION_OFFSET + 1] & 0xff) << 8
                | (b[INTERFACE_VERSION_OFFSET + 2] & 0xff) << 16 | (b[INTERFACE_VERSION_OFFSET + 3] & 0xff) << 24;
        if (v != version) {
            return c.error(EACCES, op + ": interface_version");
        }
        return refuse ? c.error(EPERM, op + ": privileged") : c.unmodelled();
    }
}
