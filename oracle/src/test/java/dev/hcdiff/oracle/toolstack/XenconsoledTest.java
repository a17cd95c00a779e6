package dev.hcdiff.oracle.toolstack;

import dev.hcdiff.oracle.backend.GuestFault;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** xenconsoled's buffer_append() (tools/console/daemon/io.c) on the ring of xen/include/public/io/console.h. */
class XenconsoledTest {

    static final XlHvmBuild BUILD = XenstoredTest.BUILD;
    final SparseRam ram = SparseRam.hvm(64L << 20);
    final Xenconsoled con = new Xenconsoled(BUILD);
    final long ring = BUILD.consolePfn() << 12;

    void guestWrites(String s) {
        int prod = ram.u32(ring + 3084);
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        for (int i = 0; i < b.length; i++) {
            ram.put(ring + 1024 + ((prod + i) & 2047), new byte[] {b[i]});
        }
        ram.putU32(ring + 3084, prod + b.length);
    }

    Xenconsoled.Drained drain() {
        try {
            return con.bufferAppend(ram);
        } catch (GuestFault f) {
            throw new AssertionError(f);
        }
    }

    @Test
    void theOutRingIsTakenWholeOutConsAdvancesAndTheGuestIsNotified() {
        guestWrites("hello\n");
        Xenconsoled.Drained d = drain();
        assertArrayEquals("hello\n".getBytes(StandardCharsets.ISO_8859_1), d.bytes());
        assertTrue(d.notified());
        assertEquals(6, ram.u32(ring + 3080));
    }

    @Test
    void anEmptyRingOrAnImpossibleSizeIsLeftAloneWithoutNotification() {
        assertFalse(drain().notified());
        ram.putU32(ring + 3084, 4000); // size > sizeof(intf->out)
        Xenconsoled.Drained d = drain();
        assertFalse(d.notified());
        assertEquals(0, ram.u32(ring + 3080));
    }

    @Test
    void bytesWrapAtTheEndOfOutAndAreNotFiltered() {
        ram.putU32(ring + 3080, 2046);
        ram.putU32(ring + 3084, 2046);
        guestWrites("ab\u0007d");
        assertArrayEquals(new byte[] {'a', 'b', 7, 'd'}, drain().bytes());
    }
}
