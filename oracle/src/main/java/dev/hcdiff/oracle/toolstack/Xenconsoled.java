package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;

/**
 * dom0's xenconsoled for the guest's PV console: the ring page at {@code CONSOLE_PFN}
 * ({@code struct xencons_interface}, xen/include/public/io/console.h: {@code in[1024]}@0,
 * {@code out[2048]}@1024, {@code in_cons}@3072, {@code in_prod}@3076, {@code out_cons}@3080,
 * {@code out_prod}@3084) served as {@code tools/console/daemon/io.c buffer_append()} does when the
 * guest signals the console port: it takes {@code out_prod - out_cons} bytes (nothing when that is 0
 * or more than the ring holds), advances {@code out_cons} and notifies the guest. The bytes are what
 * xenconsoled logs and shows on the domain's pty, unfiltered.
 *
 * <p>No input is ever queued (nobody types on the pty), so {@code in[]} stays untouched.
 */
public final class Xenconsoled {

    /** console.h: sizeof(out). */
    public static final int OUT_SIZE = 2048;
    /** Offset of out[]. */
    public static final int OUT = 1024;
    /** Offset of out_cons. */
    public static final int OUT_CONS = 3080;
    /** Offset of out_prod. */
    public static final int OUT_PROD = 3084;

    private final long ringGpa;

    public Xenconsoled(XlHvmBuild build) {
        this.ringGpa = build.consolePfn() << 12;
    }

    /** What one {@code buffer_append()} took from the ring, and whether it notified the guest. */
    public record Drained(byte[] bytes, boolean notified) {
    }

    /**
     * {@code buffer_append()}.
     *
     * @throws GuestFault when the ring page is not guest RAM
     */
    public Drained bufferAppend(GuestMemory memory) throws GuestFault {
        int cons = Xenstored.le32(memory.readPhysical(ringGpa + OUT_CONS, 4), 0);
        int prod = Xenstored.le32(memory.readPhysical(ringGpa + OUT_PROD, 4), 0);
        int size = prod - cons;
        if (size == 0 || Integer.toUnsignedLong(size) > OUT_SIZE) {
            return new Drained(new byte[0], false);
        }
        byte[] out = new byte[size];
        int from = cons & (OUT_SIZE - 1); // MASK_XENCONS_IDX(cons, intf->out)
        int first = Math.min(size, OUT_SIZE - from);
        System.arraycopy(memory.readPhysical(ringGpa + OUT + from, first), 0, out, 0, first);
        if (first < size) {
            System.arraycopy(memory.readPhysical(ringGpa + OUT, size - first), 0, out, first, size - first);
        }
        byte[] c = new byte[4];
        Xenstored.put32(c, 0, prod);
        memory.writePhysical(ringGpa + OUT_CONS, c);
        return new Drained(out, true);
    }
}
