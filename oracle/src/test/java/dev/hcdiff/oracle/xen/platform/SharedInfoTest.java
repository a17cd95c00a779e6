package dev.hcdiff.oracle.xen.platform;

import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.trace.record.MemChunk;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Offsets of xen-abi.md §6 (64-bit | 32-bit). */
class SharedInfoTest {

    @Test
    void pendingBitPIsBitPMod8OfByte2048PlusPDiv8InBothLayouts() {
        SharedInfo s = new SharedInfo();
        assertFalse(s.testAndSetPending(77));
        assertTrue(s.testAndSetPending(77));
        assertEquals(1 << (77 % 8), s.bytes()[2048 + 77 / 8]);
        s.latch(false);
        assertTrue(s.testPending(77));
    }

    @Test
    void maskIsAt2560NativeAnd2176Compat() throws Exception {
        SharedInfo s = new SharedInfo();
        FlatRam ram = new FlatRam(1 << 16);
        s.mapAt(0x1000);
        s.applyGuestWrite(new MemChunk(0x1000 + 2560, new byte[] {1}));
        assertTrue(s.testMask(0));
        s.latch(false);
        assertFalse(s.testMask(0));
        s.applyGuestWrite(new MemChunk(0x1000 + 2176, new byte[] {2}));
        assertTrue(s.testMask(1));
        s.flush(ram);
        assertEquals(2, ram.readPhysical(0x1000 + 2176, 1)[0]);
    }

    @Test
    void pendingSelIsAtVcpuInfoPlus8NativeAndPlus4Compat() {
        SharedInfo s = new SharedInfo();
        assertFalse(s.testAndSetPendingSel(1, 9));
        assertEquals(1 << 1, s.bytes()[64 + 8 + 1]);
        SharedInfo c = new SharedInfo();
        c.latch(false);
        c.testAndSetPendingSel(1, 9);
        assertEquals(1 << 1, c.bytes()[64 + 4 + 1]);
        assertEquals(32, c.bitsPerEvtchnWord());
        assertEquals(64, s.bitsPerEvtchnWord());
    }

    @Test
    void upcallPendingIsByte0AndMaskByte1OfVcpuInfo() {
        SharedInfo s = new SharedInfo();
        assertFalse(s.testAndSetUpcallPending(2));
        assertTrue(s.testAndSetUpcallPending(2));
        assertEquals(1, s.bytes()[2 * 64]);
        s.mapAt(0);
        s.applyGuestWrite(new MemChunk(2 * 64 + 1, new byte[] {1}));
        assertEquals(1, s.upcallMask(2));
        s.clearUpcallMask(2);
        assertEquals(0, s.upcallMask(2));
    }

    @Test
    void latchStepsWcVersionTwiceAtTheLayoutsOffset() {
        SharedInfo s = new SharedInfo();
        s.latch(true);
        assertEquals(2, s.bytes()[3072]);
        s.latch(false);
        assertEquals(2, s.bytes()[2304]);
        assertTrue(s.has32bitShinfo());
    }

    @Test
    void unmappedPageIgnoresGuestWritesAndFlushesNothing() throws Exception {
        SharedInfo s = new SharedInfo();
        s.applyGuestWrite(new MemChunk(2560, new byte[] {1}));
        assertFalse(s.testMask(0));
        FlatRam ram = new FlatRam(8192);
        s.testAndSetPending(3);
        s.flush(ram);
        assertArrayEquals(new byte[8192], ram.readPhysical(0, 8192));
    }

    @Test
    void mappedPageFlushesOnlyWhatChanged() throws Exception {
        SharedInfo s = new SharedInfo();
        FlatRam ram = new FlatRam(1 << 16);
        s.mapAt(0x2000);
        s.flush(ram);
        ram.writePhysical(0x2000 + 100, new byte[] {9}); // a guest byte Xen does not touch
        s.testAndSetPending(8);
        s.flush(ram);
        assertEquals(1, ram.readPhysical(0x2000 + 2049, 1)[0]);
        assertEquals(9, ram.readPhysical(0x2000 + 100, 1)[0]);
    }
}
