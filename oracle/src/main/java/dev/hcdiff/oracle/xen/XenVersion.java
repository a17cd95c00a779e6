package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.abi.VersionH;
import dev.hcdiff.oracle.xen.abi.XenCompileInfo;
import dev.hcdiff.oracle.xen.abi.XenFeatureInfo;
import dev.hcdiff.oracle.xen.abi.XenH;
import dev.hcdiff.oracle.xen.abi.XenPlatformParameters;
import dev.hcdiff.trace.record.Abi;

import java.nio.charset.StandardCharsets;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EINVAL;
import static dev.hcdiff.oracle.xen.abi.XenErrno.ENOSYS;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;

/**
 * {@code do_xen_version()} / {@code compat_xen_version()} ({@code xen/common/kernel.c},
 * {@code xen/common/compat/kernel.c}) for a domU of Debian 12's Xen 4.17.7 release build. The
 * dummy XSM policy ({@code xsm_xen_version()}) denies only cmds 9, 10 and unknown ones to a domU.
 *
 * <p>Build strings are those of {@code /boot/xen-4.17-amd64.gz} in
 * {@code xen-hypervisor-4.17-amd64 4.17.7+13-g2445b30a44-0+deb12u1}, read from the accessors of
 * Debian's patched {@code xen/common/version.c} in that binary. The build has CONFIG_PV but not
 * CONFIG_PV32, so no {@code xen-3.0-x86_32p} capability and a 32-bit {@code virt_start} of 0.
 */
public final class XenVersion {

    /** {@code xen_compiler()} of the Debian build. */
    public static final String COMPILER = "x86_64-linux-gnu-gcc (Debian 12.2.0-14+deb12u1) 12.2.0";
    /** {@code xen_compile_by()}: Debian's patch returns the maintainer's local part. */
    public static final String COMPILE_BY = "pkg-xen-devel";
    /** {@code xen_compile_domain()}: the maintainer's domain. */
    public static final String COMPILE_DOMAIN = "lists.alioth.debian.org";
    /** {@code xen_compile_date()}. */
    public static final String COMPILE_DATE = "Wed Nov  4 16:52:28 UTC 2026";
    /** {@code xen_changeset()}: empty in the Debian build. */
    public static final String CHANGESET = "";
    /**
     * {@code arch_get_xen_caps()} with CONFIG_PV, without opt_pv32, with HVM: space-separated with
     * a trailing space.
     */
    public static final String CAPABILITIES = "xen-3.0-x86_64 hvm-3.0-x86_32 hvm-3.0-x86_32p hvm-3.0-x86_64 ";
    /** {@code HYPERVISOR_VIRT_START} (xen/include/public/arch-x86/xen-x86_64.h) for 64-bit callers. */
    public static final long VIRT_START_64 = 0xFFFF800000000000L;
    /** {@code HYPERVISOR_COMPAT_VIRT_START(d)} without CONFIG_PV32 (xen/arch/x86/include/asm/config.h). */
    public static final long VIRT_START_32 = 0;
    /** {@code xen_deny()}: what a denied XENVER_commandline copies, with its NUL (9 bytes). */
    public static final String DENIED = "<denied>";
    /**
     * XENVER_get_features submap 0 of an xl HVM guest: memory_op_vnode_supported,
     * writable_page_tables and auto_translated_physmap (paging_mode_translate), hvm_safe_pvclock,
     * hvm_callback_vector, hvm_pirqs (has_pirq: xl HVM yes), not_direct_mapped = 0x12705.
     */
    public static final int HVM_FEATURES = 1 << VersionH.XENFEAT_memory_op_vnode_supported
            | 1 << VersionH.XENFEAT_writable_page_tables | 1 << VersionH.XENFEAT_auto_translated_physmap
            | 1 << VersionH.XENFEAT_hvm_safe_pvclock | 1 << VersionH.XENFEAT_hvm_callback_vector
            | 1 << VersionH.XENFEAT_hvm_pirqs | 1 << VersionH.XENFEAT_not_direct_mapped;
    /** XENVER_get_features submap 0 of an xl PVH guest: {@link #HVM_FEATURES} without hvm_pirqs (no has_pirq) = 0x12305. */
    public static final int PVH_FEATURES = HVM_FEATURES & ~(1 << VersionH.XENFEAT_hvm_pirqs);

    private final XenDomain d;
    private final int major;
    private final int minor;
    private final String extraversion;

    public XenVersion(XenDomain d) {
        this.d = d;
        String[] v = d.config().version().split("\\.");
        this.major = Integer.parseInt(v[0]);
        this.minor = Integer.parseInt(v[1]);
        this.extraversion = "." + v[2]; // XEN_EXTRAVERSION
    }

    /**
     * Serves one xen_version call; copies to the guest itself, as Xen's function does.
     *
     * @param cmd the command ({@code int cmd})
     * @param arg the guest linear address of the argument
     * @see xen/common/kernel.c do_xen_version
     */
    public long doXenVersion(Current current, GuestMemory memory, int cmd, long arg) {
        Abi abi = current.abi();
        return switch (cmd) {
            case VersionH.XENVER_version -> (long) major << 16 | minor;
            case VersionH.XENVER_extraversion -> copyOut(current, memory, arg, cString(extraversion, VersionH.XEN_EXTRAVERSION_LEN));
            case VersionH.XENVER_compile_info -> copyOut(current, memory, arg,
                    new XenCompileInfo(COMPILER, COMPILE_BY, COMPILE_DOMAIN, COMPILE_DATE).encode(abi));
            case VersionH.XENVER_capabilities -> copyOut(current, memory, arg, cString(CAPABILITIES, VersionH.XEN_CAPABILITIES_INFO_LEN));
            case VersionH.XENVER_platform_parameters -> copyOut(current, memory, arg,
                    new XenPlatformParameters(abi == Abi.XEN32 ? VIRT_START_32 : VIRT_START_64).encode(abi));
            case VersionH.XENVER_changeset -> copyOut(current, memory, arg, cString(CHANGESET, VersionH.XEN_CHANGESET_INFO_LEN));
            case VersionH.XENVER_get_features -> getFeatures(current, memory, arg);
            // Not denied for a domU, so the argument must be NULL.
            case VersionH.XENVER_pagesize -> arg != 0
                    ? current.error(EINVAL, "XENVER_pagesize: arg not NULL")
                    : (long) XenH.PAGE_SIZE;
            case VersionH.XENVER_guest_handle -> copyOut(current, memory, arg, d.config().handle());
            // Denied: copies only "<denied>\0" (strlen + 1 bytes) and returns 0.
            case VersionH.XENVER_commandline -> copyOut(current, memory, arg, (DENIED + "\0").getBytes(StandardCharsets.US_ASCII));
            case VersionH.XENVER_build_id -> current.error(EPERM, "XENVER_build_id: denied by XSM");
            default -> current.error(ENOSYS, "xen_version: unknown cmd " + cmd);
        };
    }

    private long getFeatures(Current current, GuestMemory memory, long arg) {
        Abi abi = current.abi();
        XenFeatureInfo fi;
        try {
            fi = XenFeatureInfo.decode(memory.readLinear(arg, XenFeatureInfo.size(abi)), abi);
        } catch (GuestFault f) {
            return current.error(EFAULT, "XENVER_get_features: copy_from_guest");
        }
        if (fi.submapIdx() != 0) {
            return current.error(EINVAL, "XENVER_get_features: submap_idx " + Integer.toUnsignedString(fi.submapIdx()));
        }
        // kernel.c: hvm_pirqs only if has_pirq(d).
        int submap = d.hasPirq() ? HVM_FEATURES : PVH_FEATURES;
        return copyOut(current, memory, arg, fi.withSubmap(submap).encode(abi));
    }

    private static long copyOut(Current current, GuestMemory memory, long arg, byte[] bytes) {
        try {
            memory.writeLinear(arg, bytes);
            return 0;
        } catch (GuestFault f) {
            return current.error(EFAULT, "xen_version: copy_to_guest");
        }
    }

    private static byte[] cString(String s, int len) {
        byte[] b = new byte[len];
        XenCompileInfo.putCString(b, 0, len, s);
        return b;
    }
}
