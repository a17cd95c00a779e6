package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_vnuma_topology_info} (xen/include/public/memory.h): {@code domid_t domid}@0,
 * {@code uint16_t pad}@2, IN/OUT {@code nr_vnodes}@4, {@code nr_vcpus}@8, {@code nr_vmemranges}@12,
 * then three handle unions padded to 8 bytes each, {@code vdistance}@16, {@code vcpu_to_vnode}@24,
 * {@code vmemrange}@32; 40 bytes in both ABIs (the unions carry a uint64_t pad).
 *
 * @param domid u16
 * @param pad   u16, must be 0
 */
public record XenVnumaTopologyInfo(int domid, int pad, int nrVnodes, int nrVcpus, int nrVmemranges,
                                   long vdistance, long vcpuToVnode, long vmemrange) {

    /** sizeof(struct xen_vnuma_topology_info), both ABIs. */
    public static final int SIZE = 40;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenVnumaTopologyInfo decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_vnuma_topology_info");
        return new XenVnumaTopologyInfo(Le.u16(b, 0), Le.u16(b, 2), Le.u32(b, 4), Le.u32(b, 8), Le.u32(b, 12),
                Le.u64(b, 16), Le.u64(b, 24), Le.u64(b, 32));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domid);
        Le.put16(b, 2, pad);
        Le.put32(b, 4, nrVnodes);
        Le.put32(b, 8, nrVcpus);
        Le.put32(b, 12, nrVmemranges);
        Le.put64(b, 16, vdistance);
        Le.put64(b, 24, vcpuToVnode);
        Le.put64(b, 32, vmemrange);
        return b;
    }
}
