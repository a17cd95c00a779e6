package dev.hcdiff.oracle.xen.platform;

import java.io.ByteArrayOutputStream;

/**
 * The per-domain print buffer ({@code d->pbuf}, {@code DOMAIN_PBUF_SIZE} = 200) shared by the 0xE9
 * debug port ({@code xen/arch/x86/hvm/hvm.c hvm_print_line()}) and {@code CONSOLEIO_write} from a
 * domU ({@code xen/drivers/char/console.c guest_console_write()}). Xen prints a buffered line as
 * {@code (dN) text}; the model reports, per request, the characters Xen kept, in order, with
 * {@code '\n'} wherever Xen ends a line (a guest newline or a full buffer). Whether Xen's log level
 * then shows the line on its serial console is Xen's business, not the guest's.
 *
 * <p>Characters kept: {@code isprint()} of Xen's {@code xen/lib/ctype.c} table (0x20-0x7e and
 * 0xa0-0xff, Latin-1) and tab.
 */
public final class ConsoleBuffer {

    /** {@code xen/include/xen/sched.h DOMAIN_PBUF_SIZE}. */
    public static final int DOMAIN_PBUF_SIZE = 200;

    private int pbufIdx;

    /** {@code isprint(c)} with Xen's ctype table. */
    public static boolean isprint(int c) {
        int u = c & 0xff;
        return (u >= 0x20 && u <= 0x7e) || u >= 0xa0;
    }

    /**
     * {@code hvm_print_line()}: one byte written to port 0xE9.
     *
     * @return the bytes to report as console output (possibly empty)
     */
    public byte[] hvmPrintLine(byte c) {
        // "Accept only printable characters, newline, and horizontal tab."
        if (!isprint(c) && c != '\n' && c != '\t') {
            return new byte[0];
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        if (c != '\n') {
            pbufIdx++;
            out.write(c);
        }
        if (pbufIdx == DOMAIN_PBUF_SIZE - 1 || c == '\n') {
            out.write('\n');
            pbufIdx = 0;
        }
        return out.toByteArray();
    }

    /**
     * The non-hardware-domain branch of {@code guest_console_write()} for one chunk of at most
     * 127 bytes: strip to printable and tab, stop after the first newline.
     *
     * @param chunk the bytes copied from the guest
     * @param out   receives the console bytes to report
     * @return how many bytes of {@code chunk} were consumed ({@code kin - kbuf})
     */
    public int guestConsoleWriteChunk(byte[] chunk, ByteArrayOutputStream out) {
        ByteArrayOutputStream kept = new ByteArrayOutputStream();
        int kin = 0;
        byte c = 0;
        int kcount = chunk.length;
        do {
            c = chunk[kin++];
            if (c == '\n') {
                break;
            }
            if (isprint(c) || c == '\t') {
                kept.write(c);
            }
        } while (--kcount > 0);
        byte[] k = kept.toByteArray();
        if (c != '\n' && pbufIdx + k.length < DOMAIN_PBUF_SIZE - 1) {
            // buffer the output until a newline
            pbufIdx += k.length;
            out.writeBytes(k);
        } else {
            // guest_printk("%s%s\n", pbuf, kbuf): the line ends here
            out.writeBytes(k);
            out.write('\n');
            pbufIdx = 0;
        }
        return kin;
    }
}
