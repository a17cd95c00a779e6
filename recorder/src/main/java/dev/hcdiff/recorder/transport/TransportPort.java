package dev.hcdiff.recorder.transport;

/**
 * The I/O port the recorder's hypercall stubs write to: {@code out %al,$0xe5}.
 *
 * <p>Why 0xE5: it is an imm8 port (so the stub is {@code E6 E5 90}, as long as the 3-byte
 * {@code vmcall} it replaces, and {@code out imm8} leaves rdx, Xen's third argument, intact). The
 * PC/AT map leaves 0xE0–0xEF to no standard device; in that range Xen emulates only the 0xE9
 * debug console for HVM guests, Linux delays with port 0x80 or 0xED ({@code io_delay}), QEMU puts
 * nothing at 0xE5, and hvmloader touches 0x20/0xA0, 0x40–0x43, 0x61, 0x70/0x71, 0x88, 0xB2,
 * 0xCF8–0xCFF, 0x4D0/0x4D1 and 0xE9 (xen-abi.md §8). The C floor (scripts/kvm-exit-baseline.c)
 * uses the same port.
 */
public final class TransportPort {

    private TransportPort() {
    }

    public static final int PORT = 0xE5;
}
