package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.FlatRam;

/**
 * The adapter's own pages on the Hyper-V side: one SIEF page per vCPU, where the partition sets
 * the event flags the adapter signals to itself, and the reference TSC page the adapter reads the
 * time from. They belong to the adapter (the receiving end of its loopback connections, the reader
 * of the clock), not to the Xen guest, so the partition writes them through this view and nothing
 * of it reaches the guest's memory or observation; the guest sees only what the adapter derives
 * from them in Xen's shared_info.
 *
 * <p>Addresses are the adapter's own: page {@code v} at {@code v * 4096}, the TSC page after the
 * last vCPU's, linear = physical.
 */
final class AdapterPages {

    /** A SynIC page is 4 KiB (TLFS "SIEF"). */
    static final int PAGE = 4096;

    private AdapterPages() {
    }

    /** The pages of {@code vcpus} VPs and the TSC page, zeroed. */
    static FlatRam create(int vcpus) {
        return new FlatRam((vcpus + 1) * PAGE);
    }

    /** The GPA of the reference TSC page, as written into REFERENCE_TSC. */
    static long tscGpa(int vcpus) {
        return (long) vcpus * PAGE;
    }

    /** The GPA of vCPU {@code v}'s SIEF page, as written into its SIEFP. */
    static long siefGpa(int vcpu) {
        return (long) vcpu * PAGE;
    }
}
