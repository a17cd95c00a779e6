package dev.hcdiff.oracle.xen.platform;

/**
 * Port I/O that reaches Xen for an HVM domain with no device model: the 0xE9 debug console
 * ({@code xen/arch/x86/hvm/hvm.c hvm_print_line()}, registered for exactly one byte) and, for every
 * other access, the null handler of {@code xen/arch/x86/hvm/emulate.c hvmemul_do_io()}: reads are
 * all ones of the access size, writes are dropped (xen-abi.md §8.2). A read of 0xE9 is refused by
 * hvm_print_line ("Deny any input requests") and so falls through to the null handler too.
 *
 * <p>Xen's own emulated devices (PIC, PIT, RTC, PM timer, the 0xCF8 latch) are not modelled: the
 * recorder leaves the PIC and PIT to KVM.
 */
public final class IoPorts {

    /** {@code xen/include/public/hvm/ioreq.h XEN_HVM_DEBUGCONS_IOPORT}. */
    public static final int XEN_HVM_DEBUGCONS_IOPORT = 0xE9;

    private final ConsoleBuffer console;

    public IoPorts(ConsoleBuffer console) {
        this.console = console;
    }

    /** IN of {@code size} bytes: {@code null_read()} sets all ones, cut to the access size. */
    public long read(int port, int size) {
        checkSize(size);
        return size == 4 ? 0xffffffffL : (1L << (8 * size)) - 1;
    }

    /**
     * OUT: a 1-byte write to 0xE9 goes to {@code hvm_print_line()}; anything else (including a wider
     * write to 0xE9, which the 1-byte handler does not accept) is dropped.
     *
     * @return the console bytes Xen kept (possibly empty)
     */
    public byte[] write(int port, int size, long value) {
        checkSize(size);
        if (port == XEN_HVM_DEBUGCONS_IOPORT && size == 1) {
            return console.hvmPrintLine((byte) value);
        }
        return new byte[0];
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4) {
            throw new IllegalArgumentException("port access size must be 1, 2 or 4 bytes, got " + size);
        }
    }
}
