package dev.hcdiff.oracle.xen.platform;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** xen/arch/x86/hvm/emulate.c null_read()/null_write(); hvm_print_line() (xen-abi.md §8.2). */
class IoPortsTest {

    private final IoPorts ports = new IoPorts(new ConsoleBuffer());

    @Test
    void readsAreAllOnesOfTheAccessSizeIncludingPortE9() {
        assertEquals(0xffL, ports.read(0xb004, 1));
        assertEquals(0xffffL, ports.read(0xcfc, 2));
        assertEquals(0xffffffffL, ports.read(0xcfc, 4));
        assertEquals(0xffL, ports.read(0xe9, 1));
    }

    @Test
    void oneByteWritesToE9PrintAndWiderOnesAreDropped() {
        assertArrayEquals(new byte[] {'H'}, ports.write(0xe9, 1, 'H'));
        assertArrayEquals(new byte[0], ports.write(0xe9, 2, 'H'));
        assertArrayEquals(new byte[0], ports.write(0x80, 1, 'H'));
    }

    @Test
    void badAccessSizeIsAClearError() {
        assertThrows(IllegalArgumentException.class, () -> ports.read(0x80, 3));
    }
}
