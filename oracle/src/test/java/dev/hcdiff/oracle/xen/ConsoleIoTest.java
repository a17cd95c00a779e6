package dev.hcdiff.oracle.xen;

import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Observation;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.SortedMap;
import java.util.TreeMap;

import static dev.hcdiff.oracle.xen.abi.XenErrno.EFAULT;
import static dev.hcdiff.oracle.xen.abi.XenErrno.EPERM;
import static dev.hcdiff.oracle.xen.abi.XenH.CONSOLEIO_read;
import static dev.hcdiff.oracle.xen.abi.XenH.CONSOLEIO_write;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** console_io from xen-abi.md §5.2, xen/drivers/char/console.c and xen/include/xsm/dummy.h xsm_console_io(). */
class ConsoleIoTest {

    private static final long BUF = TestGuest.ARG;

    private static TestGuest debug() {
        SortedMap<String, String> m = new TreeMap<>();
        m.put("xen.build", "debug");
        return new TestGuest(XenConfig.fromMap(m));
    }

    private static Observation write(TestGuest g, String text) {
        byte[] b = text.getBytes(StandardCharsets.ISO_8859_1);
        g.put(BUF, b);
        return g.call(XenHypercall.CONSOLE_IO, CONSOLEIO_write, b.length, BUF);
    }

    @Test
    void aReleaseBuildRefusesWriteWithEperm() {
        Observation o = write(new TestGuest(), "hello\n");
        assertEquals(-EPERM, o.result());
        assertArrayEquals(new byte[0], o.console());
    }

    @Test
    void aReleaseBuildChecksXsmBeforeTheCmdSoUnknownCmdsAreEpermToo() {
        assertEquals(-EPERM, new TestGuest().call(XenHypercall.CONSOLE_IO, 7, 0, 0).result());
    }

    @Test
    void aDebugBuildWritesThePrintableBytesAndReturnsZero() {
        Observation o = write(debug(), "hi\u0007\tthere\n");
        assertEquals(0, o.result());
        assertArrayEquals("hi\tthere\n".getBytes(StandardCharsets.ISO_8859_1), o.console());
    }

    @Test
    void aDebugBuildStillRefusesReadAndUnknownCmds() {
        TestGuest g = debug();
        assertEquals(-EPERM, g.call(XenHypercall.CONSOLE_IO, CONSOLEIO_read, 16, BUF).result());
        assertEquals(-EPERM, g.call(XenHypercall.CONSOLE_IO, 2, 16, BUF).result());
    }

    @Test
    void aDebugBuildWriteFromAnUnmappedBufferIsEfault() {
        assertEquals(-EFAULT, debug().call(XenHypercall.CONSOLE_IO, CONSOLEIO_write, 16, TestGuest.RAM - 8).result());
    }

    @Test
    void aLongWriteIsCopiedIn127ByteChunksAndFlushedAtTheBufferLimit() {
        TestGuest g = debug();
        Observation o = write(g, "a".repeat(300));
        assertEquals(0, o.result());
        // 127 buffered, then 127 + 127 >= 199 ends the line, then 46 buffered.
        assertEquals("a".repeat(254) + "\n" + "a".repeat(46), new String(o.console(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void theDebugPortPrintsThroughTheSameBuffer() {
        TestGuest g = debug();
        write(g, "abc");
        Observation o = g.serve(new dev.hcdiff.trace.record.PortWrite(0, 0xe9, 1, '\n'));
        assertArrayEquals(new byte[] {'\n'}, o.console());
    }
}
