package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;

/**
 * {@code struct sched_poll} (xen/include/public/sched.h): 64-bit {@code XEN_GUEST_HANDLE(evtchn_port_t)
 * ports}@0, {@code unsigned int nr_ports}@8, {@code uint64_t timeout}@16, 24 bytes; 32-bit
 * ({@code struct compat_sched_poll}) ports@0 (32-bit handle), nr_ports@4, timeout@8 (u64 aligned
 * to 4), 16 bytes (xen-abi.md appendix). Padding (64-bit @12) is encoded as zeros: Xen never copies
 * this struct back.
 *
 * @param ports    guest linear address of an array of u32 ports
 * @param nrPorts  u32
 * @param timeout  absolute Xen system time in ns; 0 = none
 */
public record SchedPoll(long ports, int nrPorts, long timeout) {

    /** sizeof(struct sched_poll) for the 64-bit ABI. */
    public static final int SIZE_64 = 24;
    /** sizeof(struct compat_sched_poll) for the 32-bit ABI. */
    public static final int SIZE_32 = 16;

    public static int size(Abi abi) {
        return Le.is32(abi) ? SIZE_32 : SIZE_64;
    }

    public static SchedPoll decode(byte[] b, Abi abi) {
        Le.check(b, size(abi), Le.is32(abi) ? "compat_sched_poll" : "sched_poll");
        return Le.is32(abi)
                ? new SchedPoll(Le.u32(b, 0) & 0xffffffffL, Le.u32(b, 4), Le.u64(b, 8))
                : new SchedPoll(Le.u64(b, 0), Le.u32(b, 8), Le.u64(b, 16));
    }

    public byte[] encode(Abi abi) {
        byte[] b = new byte[size(abi)];
        if (Le.is32(abi)) {
            Le.put32(b, 0, (int) ports);
            Le.put32(b, 4, nrPorts);
            Le.put64(b, 8, timeout);
        } else {
            Le.put64(b, 0, ports);
            Le.put32(b, 8, nrPorts);
            Le.put64(b, 16, timeout);
        }
        return b;
    }
}
