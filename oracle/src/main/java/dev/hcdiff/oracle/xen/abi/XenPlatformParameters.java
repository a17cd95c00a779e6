package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_platform_parameters} (xen/include/public/version.h): {@code xen_ulong_t
 * virt_start}@0; 8 bytes for the 64-bit ABI, 4 for the 32-bit one ({@code compat_platform_parameters}).
 */
public record XenPlatformParameters(long virtStart) {

    /** sizeof for the 64-bit ABI. */
    public static final int SIZE_64 = 8;
    /** sizeof for the 32-bit ABI. */
    public static final int SIZE_32 = 4;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static XenPlatformParameters decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_platform_parameters");
        return new XenPlatformParameters(Le.is32(abi) ? Le.u32(b, 0) & 0xffffffffL : Le.u64(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        if (Le.is32(abi)) {
            Le.put32(b, 0, (int) virtStart);
        } else {
            Le.put64(b, 0, virtStart);
        }
        return b;
    }
}
