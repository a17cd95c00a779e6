package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct sched_watchdog} (xen/include/public/sched.h): {@code uint32_t id}@0,
 * {@code uint32_t timeout}@4 (seconds); 8 bytes in both ABIs.
 */
public record SchedWatchdog(int id, int timeout) {

    /** sizeof(struct sched_watchdog), both ABIs. */
    public static final int SIZE = 8;

    public static int size(Abi abi) {
        Le.is32(abi);
        return SIZE;
    }

    public static SchedWatchdog decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), "sched_watchdog");
        return new SchedWatchdog(Le.u32(b, 0), Le.u32(b, 4));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        Le.put32(b, 0, id);
        Le.put32(b, 4, timeout);
        return b;
    }
}
