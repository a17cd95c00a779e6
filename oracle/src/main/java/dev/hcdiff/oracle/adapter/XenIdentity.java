package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.oracle.xen.XenVersion;
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
 * xen_version (17) under the adapter: Hyper-V has no version hypercall and its CPUID 0x40000002 is
 * "diagnostic only" (TLFS "Feature and Interface Discovery"), so the adapter answers from its own
 * constants, presenting itself as the Xen the reference models (xen-abi.md §5.1): version and build
 * strings of that Xen, commands a domU may not use refused as its dummy XSM refuses them.
 */
final class XenIdentity {

    /** The build the adapter claims: the reference's Debian 12 Xen 4.17.7 strings. */
    static final String COMPILER = XenVersion.COMPILER;
    static final String COMPILE_BY = XenVersion.COMPILE_BY;
    static final String COMPILE_DOMAIN = XenVersion.COMPILE_DOMAIN;
    static final String COMPILE_DATE = XenVersion.COMPILE_DATE;
    static final String CHANGESET = XenVersion.CHANGESET;
    static final String CAPABILITIES = XenVersion.CAPABILITIES;
    static final long VIRT_START_64 = XenVersion.VIRT_START_64;
    static final long VIRT_START_32 = XenVersion.VIRT_START_32;
    /** XENVER_get_features submap 0: an HVM domain has hvm_pirqs, a PVH one does not (has_pirq()). */
    static final int FEATURES = XenVersion.HVM_FEATURES;
    static final int PVH_FEATURES = XenVersion.PVH_FEATURES;
    /** What XENVER_commandline copies to a domU ({@code xen_deny()}), NUL included. */
    static final byte[] DENIED = "<denied>\0".getBytes(StandardCharsets.US_ASCII);

    private final XenConfig xen;
    private final int major;
    private final int minor;
    private final String extraversion;

    XenIdentity(XenConfig xen) {
        this.xen = xen;
        String[] v = xen.version().split("\\.");
        this.major = Integer.parseInt(v[0]);
        this.minor = Integer.parseInt(v[1]);
        this.extraversion = "." + v[2];
    }

    @Covers(call = "XENVER_version", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_extraversion", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_compile_info", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_capabilities", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_changeset", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_platform_parameters", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_get_features", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall); the domain kind picks the submap")
    @Covers(call = "XENVER_pagesize", as = Realisation.EMULATED, via = "adapter constant: the Xen the reference presents (Hyper-V has no version hypercall)")
    @Covers(call = "XENVER_guest_handle", as = Realisation.EMULATED, via = "the toolstack handle of the configured domain")
    @Covers(call = "XENVER_commandline", as = Realisation.EMULATED, via = "adapter policy as Xen: <denied> to a domU")
    @Covers(call = "XENVER_build_id", as = Realisation.EMULATED, via = "adapter policy as Xen: -EPERM to a domU")
    long xenVersion(Call c, GuestMemory m, int cmd, long arg) {
        Abi abi = c.abi();
        c.note("xen_version: adapter constant (no Hyper-V version hypercall)");
        return switch (cmd) {
            case VersionH.XENVER_version -> (long) major << 16 | minor;
            case VersionH.XENVER_extraversion -> copyOut(c, m, arg, cString(extraversion, VersionH.XEN_EXTRAVERSION_LEN));
            case VersionH.XENVER_compile_info -> copyOut(c, m, arg,
                    new XenCompileInfo(COMPILER, COMPILE_BY, COMPILE_DOMAIN, COMPILE_DATE).encode(abi));
            case VersionH.XENVER_capabilities -> copyOut(c, m, arg, cString(CAPABILITIES, VersionH.XEN_CAPABILITIES_INFO_LEN));
            case VersionH.XENVER_changeset -> copyOut(c, m, arg, cString(CHANGESET, VersionH.XEN_CHANGESET_INFO_LEN));
            case VersionH.XENVER_platform_parameters -> copyOut(c, m, arg,
                    new XenPlatformParameters(abi == Abi.XEN32 ? VIRT_START_32 : VIRT_START_64).encode(abi));
            case VersionH.XENVER_get_features -> getFeatures(c, m, arg);
            case VersionH.XENVER_pagesize -> arg != 0 ? c.error(EINVAL, "XENVER_pagesize: arg not NULL") : XenH.PAGE_SIZE;
            case VersionH.XENVER_guest_handle -> copyOut(c, m, arg, xen.handle());
            case VersionH.XENVER_commandline -> copyOut(c, m, arg, DENIED.clone());
            case VersionH.XENVER_build_id -> c.error(EPERM, "XENVER_build_id: denied to a domU");
            default -> c.error(ENOSYS, "xen_version: unknown cmd " + cmd);
        };
    }

    private long getFeatures(Call c, GuestMemory m, long arg) {
        XenFeatureInfo fi;
        try {
            fi = XenFeatureInfo.decode(m.readLinear(arg, XenFeatureInfo.size(c.abi())), c.abi());
        } catch (GuestFault f) {
            return c.error(EFAULT, "XENVER_get_features: copy in");
        }
        if (fi.submapIdx() != 0) {
            return c.error(EINVAL, "XENVER_get_features: submap " + Integer.toUnsignedString(fi.submapIdx()));
        }
        int submap = xen.domain() == XenConfig.DomainKind.XL_PVH ? PVH_FEATURES : FEATURES;
        return copyOut(c, m, arg, fi.withSubmap(submap).encode(c.abi()));
    }

    private static long copyOut(Call c, GuestMemory m, long arg, byte[] bytes) {
        try {
            m.writeLinear(arg, bytes);
            return 0;
        } catch (GuestFault f) {
            return c.error(EFAULT, "xen_version: copy out");
        }
    }

    private static byte[] cString(String s, int len) {
        byte[] b = new byte[len];
        XenCompileInfo.putCString(b, 0, len, s);
        return b;
    }
}
