package dev.hcdiff.oracle.adapter;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.coverage.Covers;
import dev.hcdiff.oracle.coverage.Realisation;
import dev.hcdiff.oracle.xen.abi.XenH;

import java.io.ByteArrayOutputStream;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;

/**
 * console_io (18) under the adapter: a gap (hyperv-abi.md §8a). Hyper-V consoles are VMBus
 * devices, HvCallPostDebugData (0x69) is a KDNET packet transport that needs the Debugging
 * privilege and a debugger, and the crash-message MSRs are for crashes only; so the adapter keeps
 * its own log.
 *
 * <p>The adapter presents the Xen build it is configured as, policy included: a release build's
 * XSM check refuses console_io to a domU with -EPERM before looking at the command or the buffer
 * ({@code xen/drivers/char/console.c: do_console_io()}, {@code xsm_console_io()}), and so does the
 * adapter. Where the Xen build allows it (a debug build), CONSOLEIO_write puts the guest's bytes,
 * unfiltered, on the adapter's log and returns 0, where Xen filters them to printable characters
 * (catalogued as {@code console-io-adapter-log}). Reading the console stays refused, as Xen
 * refuses it to a domU.
 */
final class AdapterConsole {

    private final boolean xsmAllowsWrite;

    /** @param xsmAllowsWrite whether the Xen build the adapter presents lets a domU write (debug builds) */
    AdapterConsole(boolean xsmAllowsWrite) {
        this.xsmAllowsWrite = xsmAllowsWrite;
    }

    /** Bytes copied per round: one page, so each read is one chunk of guest memory. */
    private static final int CHUNK = XenH.PAGE_SIZE;

    @Covers(call = "CONSOLEIO_write", as = Realisation.GAP, via = "adapter log (no Hyper-V console hypercall: consoles are VMBus devices, PostDebugData is KDNET)", gap = "console-io-adapter-log")
    @Covers(call = "CONSOLEIO_read", as = Realisation.EMULATED, via = "adapter policy as Xen: refused to a domU (-EPERM)")
    long consoleIo(Call c, GuestMemory m, int cmd, int count, long buffer) {
        if (!xsmAllowsWrite) {
            return c.error(EPERM, "console_io: xsm_console_io refuses a domU in a release build (checked before cmd)");
        }
        if (cmd != XenH.CONSOLEIO_write) {
            return c.error(EPERM, "console_io: only CONSOLEIO_write is served, to the adapter log");
        }
        ByteArrayOutputStream log = new ByteArrayOutputStream();
        long remaining = Integer.toUnsignedLong(count);
        long at = buffer;
        try {
            while (remaining > 0) {
                int n = (int) Math.min(remaining, CHUNK);
                try {
                    log.writeBytes(m.readLinear(at, n));
                } catch (GuestFault f) {
                    return c.error(EFAULT, "console_io: copy in");
                }
                at += n;
                remaining -= n;
            }
            c.note("console_io: adapter log, " + Integer.toUnsignedString(count) + " bytes (no Hyper-V console hypercall)");
            return 0;
        } finally {
            c.out().console(log.toByteArray());
        }
    }
}
