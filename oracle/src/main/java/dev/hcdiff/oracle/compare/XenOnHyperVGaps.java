package dev.hcdiff.oracle.compare;

import java.util.List;

/**
 * Known gaps between the reference Xen model ({@code xen}) and Xen served through the
 * Xen-to-Hyper-V adapter ({@code xen-on-hyperv}): hyperv-abi.md §8a.
 */
final class XenOnHyperVGaps {

    private XenOnHyperVGaps() {
    }

    static List<KnownDivergence> entries() {
        return List.of();
    }
}
