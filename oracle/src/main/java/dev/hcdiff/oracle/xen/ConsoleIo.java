package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.xen.abi.XenH;

import java.io.ByteArrayOutputStream;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;

/**
 * {@code do_console_io()} ({@code xen/drivers/char/console.c}) for a domU. XSM is checked before
 * the command ({@code xsm_console_io()}, dummy policy): a release build refuses every cmd, known or
 * not, with -EPERM; a debug build (CONFIG_VERBOSE_DEBUG, which defaults to CONFIG_DEBUG) lets any
 * domain CONSOLEIO_write and still refuses CONSOLEIO_read and unknown cmds (XSM_PRIV).
 * {@code d->is_console} is never set on x86.
 */
public final class ConsoleIo {

    /** {@code guest_console_write()} copies at most {@code sizeof(kbuf) - 1} = 127 bytes a round. */
    public static final int CHUNK = 127;

    private final XenDomain d;

    public ConsoleIo(XenDomain d) {
        this.d = d;
    }

    /**
     * @param cmd    {@code unsigned int cmd}
     * @param count  {@code unsigned int count}
     * @param buffer guest linear address
     * @see xen/drivers/char/console.c do_console_io
     */
    public long doConsoleIo(Current current, GuestMemory memory, int cmd, int count, long buffer) {
        boolean allowed = d.config().build() == XenConfig.Build.DEBUG && cmd == XenH.CONSOLEIO_write;
        if (!allowed) {
            return current.error(EPERM, "xsm_console_io: XSM_PRIV (" + d.config().build().configName() + " build)");
        }
        return guestConsoleWrite(current, memory, buffer, count);
    }

    /**
     * Copies the guest's bytes in chunks of 127 and keeps what a non-hardware domain may print
     * ({@link dev.hcdiff.oracle.xen.platform.ConsoleBuffer#guestConsoleWriteChunk}). The model never
     * preempts, so there is no continuation; a copy that faults ends the call with -EFAULT after the
     * chunks already printed.
     *
     * @see xen/drivers/char/console.c guest_console_write
     */
    private long guestConsoleWrite(Current current, GuestMemory memory, long buffer, int count) {
        long remaining = Integer.toUnsignedLong(count);
        long at = buffer;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            while (remaining > 0) {
                int kcount = (int) Math.min(remaining, CHUNK);
                byte[] kbuf;
                try {
                    kbuf = memory.readLinear(at, kcount);
                } catch (GuestFault f) {
                    return current.error(EFAULT, "guest_console_write: copy_from_guest");
                }
                int consumed = d.console().guestConsoleWriteChunk(kbuf, out);
                at += consumed;
                remaining -= consumed;
            }
            return 0;
        } finally {
            current.observed().console(out.toByteArray());
        }
    }
}
