package dev.hcdiff.oracle.backend;

/**
 * What an access that nothing claims sees: a read of all ones, a write dropped. Xen answers so
 * for an HVM domain's port or MMIO access with no handler and no ioreq server
 * ({@code xen/arch/x86/hvm/emulate.c: hvmemul_do_io()}, {@code null_handler}), as an empty bus does.
 */
public final class NullHandler {

    private NullHandler() {
    }

    /** All ones in {@code size} bytes (1, 2, 4 or 8). @throws IllegalArgumentException for another size */
    public static long read(int size) {
        return switch (size) {
            case 1 -> 0xffL;
            case 2 -> 0xffffL;
            case 4 -> 0xffff_ffffL;
            case 8 -> -1L;
            default -> throw new IllegalArgumentException("access size must be 1, 2, 4 or 8 bytes, got " + size);
        };
    }
}
