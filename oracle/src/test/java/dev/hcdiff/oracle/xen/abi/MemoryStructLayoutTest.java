package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * memory_op and hvm_op structs at the offsets gcc gives the 4.17.7 public headers, 64 | 32-bit
 * (xen-abi.md appendix; xen/include/public/memory.h, hvm/hvm_op.h).
 */
class MemoryStructLayoutTest {

    private static void field(byte[] struct, int off, long v, int n) {
        for (int i = 0; i < n; i++) {
            assertEquals((byte) (v >>> (8 * i)), struct[off + i], "byte " + (off + i));
        }
    }

    @Test
    void xenMemoryReservationIs32Or20Bytes() {
        XenMemoryReservation r = new XenMemoryReservation(0x11223344, 0x55667788, 9, 0x10000, 0x7FF0);
        byte[] b = r.encode(Abi.XEN64);
        assertEquals(32, b.length);
        field(b, 0, 0x11223344, 8);
        field(b, 8, 0x55667788, 8);
        field(b, 16, 9, 4);
        field(b, 20, 0x10000, 4);
        field(b, 24, 0x7FF0, 2);
        byte[] c = r.encode(Abi.XEN32);
        assertEquals(20, c.length);
        field(c, 0, 0x11223344, 4);
        field(c, 4, 0x55667788, 4);
        field(c, 8, 9, 4);
        field(c, 12, 0x10000, 4);
        field(c, 16, 0x7FF0, 2);
        assertEquals(r, XenMemoryReservation.decode(c, Abi.XEN32));
    }

    @Test
    void xenAddToPhysmapIs24Or16BytesWithIdxAndGpfnNarrowIn32Bit() {
        XenAddToPhysmap x = new XenAddToPhysmap(0x7FF0, 3, 2, 0xAABB, 0xFDFFF);
        byte[] b = x.encode(Abi.XEN64);
        assertEquals(24, b.length);
        field(b, 0, 0x7FF0, 2);
        field(b, 2, 3, 2);
        field(b, 4, 2, 4);
        field(b, 8, 0xAABB, 8);
        field(b, 16, 0xFDFFF, 8);
        byte[] c = x.encode(Abi.XEN32);
        assertEquals(16, c.length);
        field(c, 8, 0xAABB, 4);
        field(c, 12, 0xFDFFF, 4);
        assertEquals(x, XenAddToPhysmap.decode(c, Abi.XEN32));
    }

    @Test
    void removeFromPhysmapMemoryMapAndForeignMemoryMap() {
        byte[] r = new XenRemoveFromPhysmap(1, 0x123).encode(Abi.XEN64);
        assertEquals(16, r.length);
        field(r, 8, 0x123, 8);
        byte[] r32 = new XenRemoveFromPhysmap(1, 0x123).encode(Abi.XEN32);
        assertEquals(8, r32.length);
        field(r32, 4, 0x123, 4);
        byte[] m = new XenMemoryMap(128, 0x3000, 0).encode(Abi.XEN64);
        assertEquals(16, m.length);
        field(m, 0, 128, 4);
        field(m, 8, 0x3000, 8);
        byte[] m32 = new XenMemoryMap(128, 0x3000, 0).encode(Abi.XEN32);
        assertEquals(8, m32.length);
        field(m32, 4, 0x3000, 4);
        byte[] f = new XenForeignMemoryMap(0x7FF0, 2, 0x3000).encode(Abi.XEN64);
        assertEquals(24, f.length);
        field(f, 8, 2, 4);
        field(f, 16, 0x3000, 8);
        byte[] f32 = new XenForeignMemoryMap(0x7FF0, 2, 0x3000).encode(Abi.XEN32);
        assertEquals(12, f32.length);
        field(f32, 4, 2, 4);
        field(f32, 8, 0x3000, 4);
    }

    @Test
    void e820EntryIsPacked20Bytes() {
        byte[] b = new byte[20];
        new E820Entry(0x100000, 0x3F00000, 1).encodeInto(b, 0);
        field(b, 0, 0x100000, 8);
        field(b, 8, 0x3F00000, 8);
        field(b, 16, 1, 4);
        assertEquals(new E820Entry(0x100000, 0x3F00000, 1), E820Entry.decode(b, 0));
    }

    @Test
    void hvmOpStructsHaveOneLayout() {
        for (Abi abi : new Abi[] {Abi.XEN64, Abi.XEN32}) {
            byte[] p = new XenHvmParam(0x7FF0, 0x1234, 17, 0x1122334455667788L).encode(abi);
            assertEquals(16, p.length);
            field(p, 0, 0x7FF0, 2);
            field(p, 2, 0x1234, 2);
            field(p, 4, 17, 4);
            field(p, 8, 0x1122334455667788L, 8);
            byte[] v = new XenHvmEvtchnUpcallVector(3, 0xF3).encode(abi);
            assertArrayEquals(new byte[] {3, 0, 0, 0, (byte) 0xF3, 0, 0, 0}, v);
            byte[] t = new XenHvmGetMemType(0x7FF0, 2, 0, 0xFEE00).encode(abi);
            assertEquals(16, t.length);
            field(t, 2, 2, 2);
            field(t, 8, 0xFEE00, 8);
            byte[] d = new XenHvmPagetableDying(1, 0x5000).encode(abi);
            assertEquals(16, d.length);
            field(d, 8, 0x5000, 8);
            assertEquals(8, new XenHvmGetTime(5).encode(abi).length);
            assertEquals(32, new XenHvmXentrace(1, 2).encode(abi).length);
            assertEquals(40, new XenVnumaTopologyInfo(1, 0, 0, 0, 0, 0, 0, 0).encode(abi).length);
            assertEquals(2, new XenMemoryDomain(1).encode(abi).length);
        }
        assertEquals(40, new XenPodTarget(0, 1).encode(Abi.XEN64).length);
        assertEquals(36, new XenPodTarget(0, 1).encode(Abi.XEN32).length);
    }
}
