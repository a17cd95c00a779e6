package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * Xen errno values, {@code xen/include/public/errno.h} (Xen 4.17; xen-abi.md §4). Hypercalls return
 * them negated. They match Linux's x86 values for the ones listed here.
 */
public final class XenErrno {

    private XenErrno() {
    }

    public static final int EPERM = 1;
    public static final int ENOENT = 2;
    public static final int ESRCH = 3;
    public static final int EIO = 5;
    public static final int ENXIO = 6;
    public static final int E2BIG = 7;
    public static final int EAGAIN = 11;
    public static final int ENOMEM = 12;
    public static final int EACCES = 13;
    public static final int EFAULT = 14;
    public static final int EBUSY = 16;
    public static final int EEXIST = 17;
    public static final int EXDEV = 18;
    public static final int EINVAL = 22;
    public static final int ENOSPC = 28;
    public static final int EDOM = 33;
    public static final int ERANGE = 34;
    public static final int ENOSYS = 38;
    public static final int ENODATA = 61;
    public static final int ETIME = 62;
    public static final int EOVERFLOW = 75;
    public static final int EILSEQ = 84;
    /** Internal to Xen (continuations); never returned to a guest (xen-abi.md §1.1). */
    public static final int ERESTART = 85;
    public static final int EOPNOTSUPP = 95;
    public static final int ENOBUFS = 105;

    private static final String[] NAMES = new String[106];

    static {
        NAMES[EPERM] = "EPERM";
        NAMES[ENOENT] = "ENOENT";
        NAMES[ESRCH] = "ESRCH";
        NAMES[EIO] = "EIO";
        NAMES[ENXIO] = "ENXIO";
        NAMES[E2BIG] = "E2BIG";
        NAMES[EAGAIN] = "EAGAIN";
        NAMES[ENOMEM] = "ENOMEM";
        NAMES[EACCES] = "EACCES";
        NAMES[EFAULT] = "EFAULT";
        NAMES[EBUSY] = "EBUSY";
        NAMES[EEXIST] = "EEXIST";
        NAMES[EXDEV] = "EXDEV";
        NAMES[EINVAL] = "EINVAL";
        NAMES[ENOSPC] = "ENOSPC";
        NAMES[EDOM] = "EDOM";
        NAMES[ERANGE] = "ERANGE";
        NAMES[ENOSYS] = "ENOSYS";
        NAMES[ENODATA] = "ENODATA";
        NAMES[ETIME] = "ETIME";
        NAMES[EOVERFLOW] = "EOVERFLOW";
        NAMES[EILSEQ] = "EILSEQ";
        NAMES[ERESTART] = "ERESTART";
        NAMES[EOPNOTSUPP] = "EOPNOTSUPP";
        NAMES[ENOBUFS] = "ENOBUFS";
    }

    /**
     * A hypercall result as reports show it: {@code -EINVAL} for -22, the decimal value for
     * anything that is not a known negated errno ({@code 0}, {@code 4096}, {@code -999}).
     *
     * @param rc the result as a sign-extended long (64-bit ABI)
     */
    public static String name(long rc) {
        if (rc < 0 && rc >= -(NAMES.length - 1) && NAMES[(int) -rc] != null) {
            return "-" + NAMES[(int) -rc];
        }
        return Long.toString(rc);
    }

    /**
     * Like {@link #name(long)} for a returned register: under {@link Abi#XEN32} the value is eax
     * zero-extended, so 0xffffffea reads {@code -EINVAL}.
     */
    public static String name(long rax, Abi abi) {
        return name(abi == Abi.XEN32 ? (long) (int) rax : rax);
    }
}
