package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** What {@code hcdiff show} prints after a call's name: its argument struct, decoded from the bytes it read. */
class XenCallDescriberTest {

    static Hypercall call(Abi abi, long nr, long... args) {
        return new Hypercall(0, abi, nr, Arrays.copyOf(args, 6));
    }

    static List<MemChunk> read(long gpa, byte[] b) {
        return List.of(new MemChunk(gpa, b));
    }

    @Test
    void addToPhysmapOfSharedInfoAsHvmloaderMakesIt() {
        byte[] xatp = new XenAddToPhysmap(0x7FF0, 0, 0, 0, 0xFDFFF).encode(Abi.XEN32);
        assertEquals("domid=DOMID_SELF space=shared_info idx=0 gpfn=0xfdfff",
                XenCallDescriber.describe(call(Abi.XEN32, 12, 7, 0x12000), read(0x12000, xatp)));
        byte[] range = new XenAddToPhysmap(1, 4, 3, 0x200, 0xFD100).encode(Abi.XEN64);
        assertEquals("domid=1 space=gmfn_range size=4 idx=0x200 gpfn=0xfd100 start_extent=1",
                XenCallDescriberTest.describe64(12, 7 | 1 << 6, range));
    }

    static String describe64(long nr, long cmd, byte[] struct) {
        return XenCallDescriber.describe(call(Abi.XEN64, nr, cmd, 0x2000), read(0x2000, struct));
    }

    @Test
    void hvmParamsByName() {
        byte[] p = new XenHvmParam(0x7FF0, 0, 1, 0).encode(Abi.XEN32);
        assertEquals("domid=DOMID_SELF index=HVM_PARAM_STORE_PFN",
                XenCallDescriber.describe(call(Abi.XEN32, 34, 1, 0x12000), read(0x12000, p)));
        byte[] s = new XenHvmParam(0x7FF0, 0, 0, (2L << 56) | 0xF3).encode(Abi.XEN64);
        assertEquals("domid=DOMID_SELF index=HVM_PARAM_CALLBACK_IRQ value=0x2000000000000f3", describe64(34, 0, s));
    }

    @Test
    void eventChannelAndSchedArguments() {
        assertEquals("port=1", describe64(32, 4, new EvtchnSend(1).encode(Abi.XEN64)));
        assertEquals("dom=DOMID_SELF remote_dom=0",
                describe64(32, 6, new EvtchnAllocUnbound(0x7FF0, 0, 0).encode(Abi.XEN64)));
        assertEquals("reason=crash", describe64(29, 2, new SchedShutdown(3).encode(Abi.XEN64)));
        byte[] poll = new SchedPoll(0x2100, 1, 0).encode(Abi.XEN32);
        List<MemChunk> reads = List.of(new MemChunk(0x2000, poll), new MemChunk(0x2100, new byte[] {1, 0, 0, 0}));
        assertEquals("nr_ports=1 timeout=0 ports=[1]",
                XenCallDescriber.describe(call(Abi.XEN32, 29, 3, 0x2000), reads));
    }

    @Test
    void memoryMapAndReservations() {
        assertEquals("nr_entries=128 buffer=0x13000",
                XenCallDescriber.describe(call(Abi.XEN32, 12, 9, 0x12000),
                        read(0x12000, new XenMemoryMap(128, 0x13000, 0).encode(Abi.XEN32))));
        assertEquals("domid=DOMID_SELF nr_extents=1 extent_order=0 mem_flags=0x0 extent_start=0x3000",
                describe64(12, 6, new XenMemoryReservation(0x3000, 1, 0, 0, 0x7FF0).encode(Abi.XEN64)));
    }

    @Test
    void aStructSplitAcrossPagesIsJoinedInReadOrder() {
        byte[] xatp = new XenAddToPhysmap(0x7FF0, 0, 0, 0, 0xFDFFF).encode(Abi.XEN64);
        List<MemChunk> split = List.of(new MemChunk(0x5FF8, Arrays.copyOf(xatp, 8)),
                new MemChunk(0x9000, Arrays.copyOfRange(xatp, 8, 24)));
        assertEquals("domid=DOMID_SELF space=shared_info idx=0 gpfn=0xfdfff",
                XenCallDescriber.describe(call(Abi.XEN64, 12, 7, 0x5FF8), split));
    }

    @Test
    void nothingReadOrNothingToDecodeIsEmpty() {
        assertEquals("", XenCallDescriber.describe(call(Abi.XEN64, 12, 7, 0x2000), List.of()));
        assertEquals("", XenCallDescriber.describe(call(Abi.XEN64, 17, 0, 0), List.of()));
        assertEquals("", XenCallDescriber.describe(call(Abi.XEN64, 99, 0, 0), List.of()));
        assertEquals("", XenCallDescriber.describe(call(Abi.HV64, 0x5d, 0, 0), List.of()));
    }
}
