package dev.hcdiff.oracle.xen.platform;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** xen/arch/x86/hvm/hvm.c hvm_print_line(), xen/drivers/char/console.c guest_console_write(), xen/lib/ctype.c. */
class ConsoleBufferTest {

    @Test
    void isprintIsXensLatin1Table() {
        assertTrue(ConsoleBuffer.isprint(' '));
        assertTrue(ConsoleBuffer.isprint('~'));
        assertFalse(ConsoleBuffer.isprint(0x7f));
        assertFalse(ConsoleBuffer.isprint('\t'));
        assertFalse(ConsoleBuffer.isprint(0x9f));
        assertTrue(ConsoleBuffer.isprint(0xa0));
        assertTrue(ConsoleBuffer.isprint(0xff));
    }

    @Test
    void debugPortKeepsPrintableTabAndNewlineOnly() {
        ConsoleBuffer c = new ConsoleBuffer();
        assertArrayEquals(new byte[] {'A'}, c.hvmPrintLine((byte) 'A'));
        assertArrayEquals(new byte[] {'\t'}, c.hvmPrintLine((byte) '\t'));
        assertArrayEquals(new byte[0], c.hvmPrintLine((byte) '\r'));
        assertArrayEquals(new byte[0], c.hvmPrintLine((byte) 0x1b));
        assertArrayEquals(new byte[] {'\n'}, c.hvmPrintLine((byte) '\n'));
    }

    @Test
    void debugPortEndsTheLineWhenTheBufferHolds199Characters() {
        ConsoleBuffer c = new ConsoleBuffer();
        for (int i = 0; i < 198; i++) {
            assertEquals(1, c.hvmPrintLine((byte) 'x').length);
        }
        assertArrayEquals(new byte[] {'x', '\n'}, c.hvmPrintLine((byte) 'x'));
        assertArrayEquals(new byte[] {'y'}, c.hvmPrintLine((byte) 'y'));
    }

    @Test
    void consoleWriteStopsAtTheFirstNewlineAndStripsControls() {
        ConsoleBuffer c = new ConsoleBuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        byte[] chunk = "a\u0001b\nrest".getBytes(StandardCharsets.ISO_8859_1);
        assertEquals(4, c.guestConsoleWriteChunk(chunk, out));
        assertEquals("ab\n", out.toString(StandardCharsets.ISO_8859_1));
        out.reset();
        assertEquals(4, c.guestConsoleWriteChunk("rest".getBytes(StandardCharsets.ISO_8859_1), out));
        assertEquals("rest", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void consoleWriteFlushesWhenTheBufferWouldReach199() {
        ConsoleBuffer c = new ConsoleBuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.guestConsoleWriteChunk("x".repeat(127).getBytes(StandardCharsets.ISO_8859_1), out);
        assertEquals(127, out.size());
        out.reset();
        // 127 + 72 = 199, not < 199: printed with pbuf and a newline.
        c.guestConsoleWriteChunk("y".repeat(72).getBytes(StandardCharsets.ISO_8859_1), out);
        assertEquals("y".repeat(72) + "\n", out.toString(StandardCharsets.ISO_8859_1));
    }

    @Test
    void debugPortAndConsoleIoShareOneBuffer() {
        ConsoleBuffer c = new ConsoleBuffer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        c.guestConsoleWriteChunk("z".repeat(120).getBytes(StandardCharsets.ISO_8859_1), out);
        for (int i = 0; i < 78; i++) {
            assertEquals(1, c.hvmPrintLine((byte) 'q').length);
        }
        assertArrayEquals(new byte[] {'q', '\n'}, c.hvmPrintLine((byte) 'q'));
    }
}
