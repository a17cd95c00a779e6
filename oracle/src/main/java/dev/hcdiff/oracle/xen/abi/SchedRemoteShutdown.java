package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct sched_remote_shutdown} (xen/include/public/sched.h): {@code domid_t domain_id}@0,
 * 2 bytes of padding, {@code unsigned int reason}@4; 8 bytes in both ABIs.
 */
public record SchedRemoteShutdown(int domainId, int reason) {

    /** sizeof(struct sched_remote_shutdown), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static SchedRemoteShutdown decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "sched_remote_shutdown");
        return new SchedRemoteShutdown(Le.u16(b, 0), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put16(b, 0, domainId);
        Le.put32(b, 4, reason);
        return b;
    }
}
