package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct xen_feature_info} (xen/include/public/version.h): {@code unsigned int submap_idx}@0,
 * OUT {@code uint32_t submap}@4; 8 bytes in both ABIs.
 */
public record XenFeatureInfo(int submapIdx, int submap) {

    /** sizeof(struct xen_feature_info), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static XenFeatureInfo decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "xen_feature_info");
        return new XenFeatureInfo(Le.u32(b, 0), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, submapIdx);
        Le.put32(b, 4, submap);
        return b;
    }

    public XenFeatureInfo withSubmap(int newSubmap) {
        return new XenFeatureInfo(submapIdx, newSubmap);
    }
}
