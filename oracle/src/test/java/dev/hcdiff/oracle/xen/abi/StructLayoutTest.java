package dev.hcdiff.oracle.xen.abi;

import dev.hcdiff.trace.record.Abi;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/**
 * Every argument struct writes exactly its size and puts each field at the offset gcc gives it for
 * the 4.17.7 public headers (xen-abi.md appendix: "field@offset; 64-bit | 32-bit").
 */
class StructLayoutTest {

    /** Little-endian bytes of {@code v} ({@code n} bytes). */
    private static byte[] le(long v, int n) {
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (v >>> (8 * i));
        }
        return b;
    }

    private static void field(byte[] struct, int off, long v, int n) {
        byte[] want = le(v, n);
        byte[] got = java.util.Arrays.copyOfRange(struct, off, off + n);
        assertArrayEquals(want, got, "field at offset " + off);
    }

    @Test
    void evtchnAllocUnboundIsDomAt0RemoteDomAt2PortAt4In8Bytes() {
        byte[] b = new EvtchnAllocUnbound(0x1234, 0x5678, 0x9abcdef0).encode(Abi.XEN64);
        assertEquals(8, b.length);
        field(b, 0, 0x1234, 2);
        field(b, 2, 0x5678, 2);
        field(b, 4, 0x9abcdef0L, 4);
        assertArrayEquals(b, new EvtchnAllocUnbound(0x1234, 0x5678, 0x9abcdef0).encode(Abi.XEN32));
    }

    @Test
    void evtchnBindInterdomainIsRemoteDomAt0RemotePortAt4LocalPortAt8In12Bytes() {
        byte[] b = new EvtchnBindInterdomain(0x7ff0, 0xeeff, 0x11223344, 0x55667788).encode(Abi.XEN64);
        assertEquals(12, b.length);
        field(b, 0, 0x7ff0, 2);
        field(b, 2, 0xeeff, 2); // padding round-trips
        field(b, 4, 0x11223344, 4);
        field(b, 8, 0x55667788, 4);
    }

    @Test
    void evtchnBindVirqIsVirqAt0VcpuAt4PortAt8In12Bytes() {
        byte[] b = new EvtchnBindVirq(1, 2, 3).encode(Abi.XEN32);
        assertEquals(12, b.length);
        field(b, 0, 1, 4);
        field(b, 4, 2, 4);
        field(b, 8, 3, 4);
    }

    @Test
    void evtchnBindIpiIsVcpuAt0PortAt4In8Bytes() {
        byte[] b = new EvtchnBindIpi(7, 9).encode(Abi.XEN64);
        assertEquals(8, b.length);
        field(b, 0, 7, 4);
        field(b, 4, 9, 4);
    }

    @Test
    void closeSendUnmaskArePortAt0In4Bytes() {
        for (byte[] b : new byte[][] {new EvtchnClose(0xa1b2c3d4).encode(Abi.XEN64),
                new EvtchnSend(0xa1b2c3d4).encode(Abi.XEN64), new EvtchnUnmask(0xa1b2c3d4).encode(Abi.XEN32)}) {
            assertEquals(4, b.length);
            field(b, 0, 0xa1b2c3d4L, 4);
        }
    }

    @Test
    void evtchnStatusIsDomAt0PortAt4StatusAt8VcpuAt12UnionAt16In24Bytes() {
        byte[] b = new EvtchnStatus(0x7ff0, 0xbeef, 5, 2, 3, 0x0102030405060708L).encode(Abi.XEN64);
        assertEquals(24, b.length);
        field(b, 0, 0x7ff0, 2);
        field(b, 2, 0xbeef, 2);
        field(b, 4, 5, 4);
        field(b, 8, 2, 4);
        field(b, 12, 3, 4);
        field(b, 16, 0x0102030405060708L, 8);
        EvtchnStatus s = EvtchnStatus.decode(b, Abi.XEN32);
        assertEquals(0x0708, s.uDom());
        assertEquals(0x01020304, s.uInterdomainPort());
        assertEquals(0x05060708, s.uWord());
    }

    @Test
    void evtchnBindVcpuIsPortAt0VcpuAt4In8Bytes() {
        byte[] b = new EvtchnBindVcpu(4, 1).encode(Abi.XEN64);
        assertEquals(8, b.length);
        field(b, 0, 4, 4);
        field(b, 4, 1, 4);
    }

    @Test
    void evtchnResetIsDomAt0In2Bytes() {
        byte[] b = new EvtchnReset(0x7ff0).encode(Abi.XEN64);
        assertEquals(2, b.length);
        field(b, 0, 0x7ff0, 2);
    }

    @Test
    void evtchnInitControlIsGfnAt0OffsetAt8VcpuAt12LinkBitsAt16In24Bytes() {
        byte[] b = new EvtchnInitControl(0x123456789L, 0x40, 1, 17).encode(Abi.XEN64);
        assertEquals(24, b.length);
        field(b, 0, 0x123456789L, 8);
        field(b, 8, 0x40, 4);
        field(b, 12, 1, 4);
        field(b, 16, 17, 1);
    }

    @Test
    void expandArrayIsGfnAt0In8BytesAndSetPriorityIsPortAt0PriorityAt4() {
        byte[] e = new EvtchnExpandArray(0xabcdef0123L).encode(Abi.XEN64);
        assertEquals(8, e.length);
        field(e, 0, 0xabcdef0123L, 8);
        byte[] p = new EvtchnSetPriority(3, 15).encode(Abi.XEN64);
        assertEquals(8, p.length);
        field(p, 0, 3, 4);
        field(p, 4, 15, 4);
    }

    @Test
    void schedShutdownIsReasonAt0In4Bytes() {
        byte[] b = new SchedShutdown(3).encode(Abi.XEN64);
        assertEquals(4, b.length);
        field(b, 0, 3, 4);
    }

    @Test
    void schedPollIs24BytesWithTimeoutAt16In64BitAnd16BytesWithTimeoutAt8In32Bit() {
        byte[] b64 = new SchedPoll(0x1122334455667788L, 2, 0x0102030405060708L).encode(Abi.XEN64);
        assertEquals(24, b64.length);
        field(b64, 0, 0x1122334455667788L, 8);
        field(b64, 8, 2, 4);
        field(b64, 16, 0x0102030405060708L, 8);
        byte[] b32 = new SchedPoll(0x55667788L, 2, 0x0102030405060708L).encode(Abi.XEN32);
        assertEquals(16, b32.length);
        field(b32, 0, 0x55667788L, 4);
        field(b32, 4, 2, 4);
        field(b32, 8, 0x0102030405060708L, 8);
    }

    @Test
    void schedRemoteShutdownIsDomainIdAt0ReasonAt4In8Bytes() {
        byte[] b = new SchedRemoteShutdown(0x7ff0, 3).encode(Abi.XEN64);
        assertEquals(8, b.length);
        field(b, 0, 0x7ff0, 2);
        field(b, 4, 3, 4);
    }

    @Test
    void schedWatchdogIsIdAt0TimeoutAt4In8Bytes() {
        byte[] b = new SchedWatchdog(1, 30).encode(Abi.XEN64);
        assertEquals(8, b.length);
        field(b, 0, 1, 4);
        field(b, 4, 30, 4);
    }

    @Test
    void xenFeatureInfoIsSubmapIdxAt0SubmapAt4In8Bytes() {
        byte[] b = new XenFeatureInfo(0, 0x12705).encode(Abi.XEN32);
        assertEquals(8, b.length);
        field(b, 0, 0, 4);
        field(b, 4, 0x12705, 4);
    }

    @Test
    void platformParametersIs8BytesIn64BitAnd4In32Bit() {
        assertEquals(8, new XenPlatformParameters(0xFFFF800000000000L).encode(Abi.XEN64).length);
        assertEquals(4, new XenPlatformParameters(0).encode(Abi.XEN32).length);
    }

    @Test
    void compileInfoIsCompilerAt0ByAt64DomainAt80DateAt112In144Bytes() {
        byte[] b = new XenCompileInfo("gcc", "me", "example.org", "today").encode(Abi.XEN64);
        assertEquals(144, b.length);
        assertEquals('g', b[0]);
        assertEquals('m', b[64]);
        assertEquals('e', b[80]);
        assertEquals('t', b[112]);
        assertEquals(0, b[3]);
    }

    @Test
    void compileInfoTruncatesLikeSafeStrcpy() {
        byte[] b = new XenCompileInfo("x", "0123456789abcdefXYZ", "d", "t").encode(Abi.XEN64);
        // compile_by is char[16]: 15 characters and the NUL.
        assertEquals("0123456789abcde", XenCompileInfo.cString(b, 64, 16));
        assertEquals(0, b[79]);
    }

    @Test
    void decodeRejectsTheWrongLengthAndHv64() {
        assertThrows(IllegalArgumentException.class, () -> EvtchnSend.decode(new byte[3], Abi.XEN64));
        assertThrows(IllegalArgumentException.class, () -> new EvtchnSend(1).encode(Abi.HV64));
        assertThrows(IllegalArgumentException.class, () -> SchedPoll.decode(new byte[24], Abi.XEN32));
    }

    @Property(seed = "20261125")
    void statusRoundTripsEveryByte(@ForAll int dom16, @ForAll int pad16, @ForAll int port, @ForAll int status,
                                   @ForAll int vcpu, @ForAll long u) {
        EvtchnStatus s = new EvtchnStatus(dom16 & 0xffff, pad16 & 0xffff, port, status, vcpu, u);
        assertEquals(s, EvtchnStatus.decode(s.encode(Abi.XEN64), Abi.XEN64));
    }

    @Property(seed = "20261125")
    void schedPollRoundTripsInBothAbis(@ForAll long ports, @ForAll int nr, @ForAll long timeout) {
        SchedPoll p = new SchedPoll(ports, nr, timeout);
        assertEquals(p, SchedPoll.decode(p.encode(Abi.XEN64), Abi.XEN64));
        SchedPoll p32 = new SchedPoll(ports & 0xffffffffL, nr, timeout);
        assertEquals(p32, SchedPoll.decode(p32.encode(Abi.XEN32), Abi.XEN32));
    }

    @Property(seed = "20261125")
    void bindInterdomainRoundTripsWithPadding(@ForAll int rd, @ForAll int pad, @ForAll int rp, @ForAll int lp) {
        EvtchnBindInterdomain b = new EvtchnBindInterdomain(rd & 0xffff, pad & 0xffff, rp, lp);
        assertEquals(b, EvtchnBindInterdomain.decode(b.encode(Abi.XEN32), Abi.XEN32));
    }
}
