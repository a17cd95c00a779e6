package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct sched_shutdown} (xen/include/public/sched.h): {@code unsigned int reason}@0; 4 bytes
 * in both ABIs. Also the argument of SCHEDOP_shutdown_code.
 */
public record SchedShutdown(int reason) {

    /** sizeof(struct sched_shutdown), both ABIs. */
    public static final int SIZE = 4;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static SchedShutdown decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "sched_shutdown");
        return new SchedShutdown(Le.u32(b, 0));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, reason);
        return b;
    }
}
