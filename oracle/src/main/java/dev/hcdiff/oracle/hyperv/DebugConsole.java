package dev.hcdiff.oracle.hyperv;

/**
 * The debug console on I/O port 0xE9 (the Bochs "port E9 hack", QEMU {@code hw/char/debugcon.c}).
 * Hyper-V defines no port I/O, so this is a device of the VMM's platform, not of the hypervisor
 * ABI: the recorder offers it to every personality so one guest kit prints under all of them. A
 * 1-byte OUT emits the byte as is; the device is 1 byte wide, so a wider OUT is dropped, as Xen's
 * 1-byte {@code hvm_print_line()} handler drops it. No IN has a device behind it here (the
 * recorder's console takes output only), so every IN reads all ones, as an undriven ISA bus and
 * Xen's null handler answer ({@code xen/arch/x86/hvm/emulate.c null_read()}); an OUT to any other
 * port is dropped. Unlike Xen ({@code hvm_print_line()}), the device neither filters non-printable
 * bytes nor breaks long lines.
 */
public final class DebugConsole {

    private DebugConsole() {
    }

    /** The debug console port (QEMU debugcon {@code iobase} default; Xen XEN_HVM_DEBUGCONS_IOPORT). */
    public static final int PORT = 0xe9;

    /** The value an IN of {@code size} bytes (1, 2 or 4) reads: all ones of that size. */
    public static long in(int port, int size) {
        checkSize(size);
        return size == 4 ? 0xffff_ffffL : (1L << (8 * size)) - 1;
    }

    /** The console bytes an OUT emits: the byte of a 1-byte OUT to 0xE9, else nothing. */
    public static byte[] out(int port, int size, long value) {
        checkSize(size);
        return port == PORT && size == 1 ? new byte[] {(byte) value} : new byte[0];
    }

    private static void checkSize(int size) {
        if (size != 1 && size != 2 && size != 4) {
            throw new IllegalArgumentException("port access size " + size + " is not 1, 2 or 4");
        }
    }
}
