package dev.hcdiff.oracle.xen;

import dev.hcdiff.oracle.backend.CpuVendor;
import dev.hcdiff.oracle.xen.platform.HypercallPage;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** CPUID, MSR, port and guest-write requests through the backend (xen-abi.md §1.2, §1.3, §2, §8.2). */
class PlatformRequestsTest {

    private final TestGuest g = new TestGuest();

    @Test
    void cpuidReturnsTheFourRegistersUnsigned() {
        Observation o = g.serve(new CpuidQuery(0, 0x40000003, 1));
        assertArrayEquals(new long[] {0, 0, 0x80000000L, 0}, o.returns());
        assertArrayEquals(new long[] {0x40000005L, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL},
                g.serve(new CpuidQuery(0, 0x40000000, 0)).returns());
    }

    @Test
    void writingTheHypercallMsrWritesXensPageIntoGuestRam() {
        Observation o = g.serve(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.LONG64));
        assertEquals(Fault.NONE, o.fault());
        assertArrayEquals(new long[0], o.returns());
        assertArrayEquals(HypercallPage.build(CpuVendor.INTEL), g.get(0x80000, 4096));
        assertEquals(List.of(new MemChunk(0x80000, HypercallPage.build(CpuVendor.INTEL))), o.writes());
    }

    @Test
    void aNonZeroPageIndexIsGpAndWritesNothing() {
        Observation o = g.serve(new MsrWrite(0, 0x40000000, 0x80001, CpuMode.LONG64));
        assertEquals(Fault.GP, o.fault());
        assertEquals(List.of(), o.writes());
    }

    @Test
    void aPageOutsideRamIsGp() {
        assertEquals(Fault.GP, g.serve(new MsrWrite(0, 0x40000000, TestGuest.RAM, CpuMode.LONG64)).fault());
    }

    @Test
    void theHypercallMsrWriteLatchesThe64BitLayoutAndTheWallclockVersion() {
        g.serve(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.LONG64));
        assertFalse(g.xen.domain().sharedInfo().has32bitShinfo());
        assertEquals(2, g.xen.domain().sharedInfo().bytes()[3072]);
    }

    @Test
    void theHypercallMsrReadsZeroAndEveryOtherMsrIsGp() {
        assertArrayEquals(new long[] {0}, g.serve(new MsrRead(0, 0x40000000)).returns());
        assertEquals(Fault.GP, g.serve(new MsrRead(0, 0x40000001)).fault());
        assertEquals(Fault.GP, g.serve(new MsrRead(0, 0x400002ff)).fault());
        assertEquals(Fault.GP, g.serve(new MsrWrite(0, 0x40000001, 0, CpuMode.LONG64)).fault());
        assertEquals(Fault.GP, g.serve(new MsrRead(0, 0x10)).fault());
    }

    @Test
    void withViridianTheHypercallMsrMovesTo40000200() {
        XenConfig d = XenConfig.defaults();
        TestGuest v = new TestGuest(new XenConfig(d.version(), d.build(), d.domid(), d.vcpus(), CpuVendor.AMD,
                0x40000100, d.maxEvtchnPort(), d.tscKhz(), d.uuid()));
        assertEquals(Fault.GP, v.serve(new MsrWrite(0, 0x40000000, 0x80000, CpuMode.LONG64)).fault());
        assertEquals(Fault.NONE, v.serve(new MsrWrite(0, 0x40000200, 0x80000, CpuMode.LONG64)).fault());
        assertEquals((byte) 0xD9, v.get(0x80000 + 7, 1)[0]);
    }

    @Test
    void portReadsAreAllOnesAndTheDebugPortPrints() {
        assertArrayEquals(new long[] {0xffff}, g.serve(new PortRead(0, 0xcfc, 2)).returns());
        Observation o = g.serve(new PortWrite(0, 0xe9, 1, 'A'));
        assertArrayEquals(new long[0], o.returns());
        assertArrayEquals(new byte[] {'A'}, o.console());
    }

    @Test
    void aGuestWriteIsANoOpWhileSharedInfoIsUnmapped() {
        Observation o = g.serve(new GuestWrite(0, new MemChunk(0x80000 + 2560, new byte[] {1})));
        assertArrayEquals(new long[0], o.returns());
        assertFalse(g.xen.domain().sharedInfo().testMask(0));
        assertEquals(List.of(), o.writes());
    }

    @Test
    void onceSharedInfoIsMappedXensChangesReachTheGuestAsWrites() {
        g.xen.domain().sharedInfo().mapAt(TestGuest.SHINFO);
        long p = g.bindIpi(0);
        g.send(p);
        assertTrue(g.last.writes().stream().anyMatch(w -> w.gpa() <= TestGuest.SHINFO + 2048
                && w.gpa() + w.length() > TestGuest.SHINFO + 2048));
        assertEquals(1 << p, g.get(TestGuest.SHINFO + 2048, 1)[0]);
    }
}
