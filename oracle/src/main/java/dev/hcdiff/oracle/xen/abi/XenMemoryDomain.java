package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_memory_domain} (xen/include/public/memory.h): {@code domid_t domid}@0, 2 bytes
 * in both ABIs: the argument of XENMEM_current_reservation, _maximum_reservation, _maximum_gpfn.
 *
 * @param domid u16
 */
public record XenMemoryDomain(int domid) {

    /** sizeof(struct xen_memory_domain), both ABIs. */
    public static final int SIZE = 2;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenMemoryDomain decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_memory_domain");
        return new XenMemoryDomain(Le.u16(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        return b;
    }
}
