package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.abi.XenH;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EACCES;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EOPNOTSUPP;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ESRCH;

/**
 * The hypercalls whose answer to a domU is (nearly) fixed: vm_assist, mmuext_op, xsm_op, xenpmu_op,
 * hypfs_op, platform_op, sysctl, and domctl up to its interface check (xen-abi.md §3).
 */
public final class MiscHypercalls {

    /** {@code sizeof(struct xen_platform_op)}: cmd, interface_version, 128-byte union; both ABIs. */
    public static final int XEN_PLATFORM_OP_SIZE = 136;
    /** {@code xen/include/public/platform.h XENPF_INTERFACE_VERSION}. */
    public static final int XENPF_INTERFACE_VERSION = 0x03000001;
    /** {@code sizeof(struct xen_sysctl)}, both ABIs. */
    public static final int XEN_SYSCTL_SIZE = 136;
    /** {@code xen/include/public/sysctl.h XEN_SYSCTL_INTERFACE_VERSION} (4.17). */
    public static final int XEN_SYSCTL_INTERFACE_VERSION = 0x15;
    /** {@code sizeof(struct xen_domctl)}, both ABIs. */
    public static final int XEN_DOMCTL_SIZE = 144;
    /** {@code xen/include/public/domctl.h XEN_DOMCTL_INTERFACE_VERSION} (4.17). */
    public static final int XEN_DOMCTL_INTERFACE_VERSION = 0x15;
    /** Offset of {@code interface_version} in all three structs (after {@code uint32_t cmd}). */
    private static final int INTERFACE_VERSION_OFFSET = 4;
    /** {@code HVM_VM_ASSIST_MASK} (xen/arch/x86/include/asm/domain.h). */
    private static final long HVM_VM_ASSIST_MASK = 1L << XenH.VMASST_TYPE_runstate_update_flag;

    private final XenDomain d;

    public MiscHypercalls(XenDomain d) {
        this.d = d;
    }

    /**
     * Only {@code VMASST_TYPE_runstate_update_flag} is valid for HVM (-EINVAL otherwise, checked
     * first); cmd 0 enables, 1 disables, anything else -ENOSYS.
     *
     * @see xen/common/domain.c do_vm_assist
     */
    public long vmAssist(Current current, int cmd, int type) {
        long t = Integer.toUnsignedLong(type);
        if (t >= Long.SIZE || (HVM_VM_ASSIST_MASK & (1L << t)) == 0) {
            return current.error(EINVAL, "do_vm_assist: type " + t + " not valid for HVM");
        }
        switch (cmd) {
            case XenH.VMASST_CMD_enable -> d.vmAssist |= 1L << t;
            case XenH.VMASST_CMD_disable -> d.vmAssist &= ~(1L << t);
            default -> {
                return current.error(ENOSYS, "do_vm_assist: cmd " + Integer.toUnsignedString(cmd));
            }
        }
        return 0;
    }

    /**
     * mmuext_op from an HVM guest: the preemption marker with a NULL list returns
     * {@code (int)foreigndom}; otherwise the page owner decides: the caller's own id is -ESRCH,
     * DOMID_SELF (an HVM domain, not PV) -EINVAL, dom0 and the PV-typed system domains DOMID_IO and
     * DOMID_XEN fail XSM_TARGET with -EPERM, unknown ids -ESRCH. The model assumes dom0 is PV
     * (Debian's default).
     *
     * @see xen/arch/x86/mm.c do_mmuext_op
     * @see xen/common/page_alloc.c get_pg_owner
     */
    public long mmuextOp(Current current, GuestMemory memory, long uops, int count, long pdone, int foreigndom) {
        if (count == XenH.MMU_UPDATE_PREEMPTED && uops == 0) {
            return foreigndom; // (int)foreigndom
        }
        if ((count & XenH.MMU_UPDATE_PREEMPTED) != 0 && pdone != 0) {
            try {
                memory.readLinear(pdone, 4); // (void)copy_from_guest(&done, pdone, 1)
            } catch (GuestFault ignored) {
                // Xen ignores the result of this copy.
            }
        }
        int domid = foreigndom & 0xffff;
        if (domid == d.domainId()) {
            return current.error(ESRCH, "get_pg_owner: cannot specify itself as foreign domain");
        }
        if (domid == XenH.DOMID_IO || domid == XenH.DOMID_XEN) {
            return current.error(EPERM, "do_mmuext_op: XSM_TARGET on a system domain");
        }
        return switch (d.lockDomainByAnyId(domid)) {
            case SELF -> current.error(EINVAL, "do_mmuext_op: page owner is not PV");
            case DOM0 -> current.error(EPERM, "do_mmuext_op: XSM_TARGET on dom0");
            case NONE -> current.error(ESRCH, "get_pg_owner: no domain " + domid);
        };
    }

    /**
     * The dummy XSM module has no xsm_op.
     *
     * @see xen/include/xsm/dummy.h xsm_do_xsm_op
     */
    public long xsmOp(Current current) {
        return current.error(ENOSYS, "xsm_do_xsm_op: dummy XSM");
    }

    /**
     * An HVM domain has a vLAPIC, so vPMU ops are refused before anything else.
     *
     * @see xen/arch/x86/cpu/vpmu.c do_xenpmu_op
     */
    public long xenpmuOp(Current current) {
        return current.error(EOPNOTSUPP, "do_xenpmu_op: HVM domain has a vLAPIC");
    }

    /**
     * Debian's build has CONFIG_HYPFS; XSM_PRIV is checked first.
     *
     * @see xen/common/hypfs.c do_hypfs_op
     */
    public long hypfsOp(Current current) {
        return current.error(EPERM, "do_hypfs_op: XSM_PRIV");
    }

    /**
     * Copy (-EFAULT), interface version (-EACCES), XSM_PRIV (-EPERM).
     *
     * @see xen/arch/x86/platform_hypercall.c do_platform_op
     */
    public long platformOp(Current current, GuestMemory memory, long arg) {
        return versionedPrivOp(current, memory, arg, "do_platform_op", XEN_PLATFORM_OP_SIZE, XENPF_INTERFACE_VERSION);
    }

    /**
     * Copy (-EFAULT), interface version (-EACCES), XSM_PRIV (-EPERM).
     *
     * @see xen/common/sysctl.c do_sysctl
     */
    public long sysctl(Current current, GuestMemory memory, long arg) {
        return versionedPrivOp(current, memory, arg, "do_sysctl", XEN_SYSCTL_SIZE, XEN_SYSCTL_INTERFACE_VERSION);
    }

    /**
     * Copy (-EFAULT) and interface version (-EACCES) are modelled; past them each domctl looks up
     * its domain and checks XSM per command, which is not modelled.
     *
     * @see xen/common/domctl.c do_domctl
     */
    public long domctl(Current current, GuestMemory memory, long arg) {
        byte[] op;
        try {
            op = memory.readLinear(arg, XEN_DOMCTL_SIZE);
        } catch (GuestFault f) {
            return current.error(EFAULT, "do_domctl: copy_from_guest");
        }
        if (u32(op, INTERFACE_VERSION_OFFSET) != XEN_DOMCTL_INTERFACE_VERSION) {
            return current.error(EACCES, "do_domctl: interface_version");
        }
        return current.unmodelled();
    }

    private static long versionedPrivOp(Current current, GuestMemory memory, long arg, String fn, int size, int version) {
        byte[] op;
        try {
            op = memory.readLinear(arg, size);
        } catch (GuestFault f) {
            return current.error(EFAULT, fn + ": copy_from_guest");
        }
        if (u32(op, INTERFACE_VERSION_OFFSET) != version) {
            return current.error(EACCES, fn + ": interface_version");
        }
        return current.error(EPERM, fn + ": XSM_PRIV");
    }

    private static int u32(byte[] b, int off) {
        return (b[off] & 0xff) | (b[off + 1] & 0xff) << 8 | (b[off + 2] & 0xff) << 16 | (b[off + 3] & 0xff) << 24;
    }
}
