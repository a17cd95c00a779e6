package dev.hcdiff.recorder;

import dev.hcdiff.oracle.xen.XenBackend;
import dev.hcdiff.oracle.xen.XenConfig;
import dev.hcdiff.recorder.transport.StubPatcher;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The built-in hello guest on the real /dev/kvm, served by the reference Xen model. Expected
 * results are what a Xen 4.17.7 release build gives a domU (shared/docs/xen-abi.md), not the
 * model's output.
 */
class HelloGuestTest {

    /** xen-abi.md §5.1: XENVER_version = (4 << 16) | 17. */
    private static final long XEN_4_17 = 0x40011;
    /** xen/include/public/errno.h (xen-abi.md §4). */
    private static final long EPERM = -1, EINVAL = -22;
    /** event_channel.h EVTCHNSTAT_unbound. */
    private static final int EVTCHNSTAT_UNBOUND = 1;

    private static LiveKvm.Run run;

    @BeforeAll
    static void recordHello() {
        LiveKvm.assumeKvm();
        XenBackend xen = new XenBackend(XenConfig.fromMap(HostFacts.xenHostConfig()));
        run = LiveKvm.record("hello", 0, xen);
    }

    private static List<Exchange> hypercalls() {
        return run.records().stream().filter(r -> r instanceof Exchange e && e.request() instanceof Hypercall)
                .map(r -> (Exchange) r).toList();
    }

    @Test
    void journalIsWellFormedAndEndsInOneShutdown() {
        run.assertWellFormed();
        GuestStop stop = run.stop();
        assertEquals(GuestStop.StopReason.SHUTDOWN, stop.reason());
        assertEquals("sched_op/SCHEDOP_shutdown(poweroff)", stop.detail());
        assertEquals(1, run.records().stream().filter(r -> r instanceof GuestStop).count());
    }

    @Test
    void helloMakesTheExpectedCallsInOrder() {
        assertEquals(List.of(
                "xen_version/XENVER_version",
                "xen_version/XENVER_extraversion",
                "console_io/CONSOLEIO_write",
                "event_channel_op/EVTCHNOP_alloc_unbound",
                "event_channel_op/EVTCHNOP_send",
                "event_channel_op/EVTCHNOP_status",
                "event_channel_op/EVTCHNOP_close",
                "event_channel_op/EVTCHNOP_send",
                "sched_op/SCHEDOP_yield",
                "sched_op/SCHEDOP_shutdown"), hypercalls().stream().map(e -> CallNames.of(e.request())).toList());
        assertEquals(10, run.result().hypercalls());
    }

    @Test
    void resultsAreWhatARelease417GivesADomU() {
        List<Exchange> calls = hypercalls();
        assertEquals(XEN_4_17, calls.get(0).observation().result(), "XENVER_version");
        assertEquals(0, calls.get(1).observation().result(), "XENVER_extraversion copies 16 bytes and returns 0");
        assertEquals(16, calls.get(1).observation().writes().stream().mapToInt(MemChunk::length).sum());
        assertEquals(EPERM, calls.get(2).observation().result(), "console_io: XSM denies a domU before cmd");
        assertEquals(0, calls.get(3).observation().result(), "alloc_unbound");
        assertEquals(1, portWritten(calls.get(3)), "port 0 is reserved, so the first port is 1");
        assertEquals(0, calls.get(4).observation().result(), "send on an unbound port is dropped, rc 0");
        assertEquals(0, calls.get(5).observation().result(), "status");
        assertEquals(EVTCHNSTAT_UNBOUND, statusWritten(calls.get(5)), "status of an unbound port");
        assertEquals(0, calls.get(6).observation().result(), "close");
        assertEquals(EINVAL, calls.get(7).observation().result(), "send on a closed (free) port");
        assertEquals(0, calls.get(8).observation().result(), "yield");
        assertTrue(calls.get(9).observation().shutdown() == 0, "SCHEDOP_shutdown(poweroff) shuts down with code 0");
    }

    @Test
    void guestPrintsItsLinesOnTheDebugConsole() {
        List<String> lines = run.console();
        assertTrue(lines.contains("hello from hcdiff guest"), lines.toString());
        assertTrue(lines.stream().anyMatch(l -> l.startsWith("Xen 4.17")), lines.toString());
        assertTrue(lines.contains("event_channel_op(EVTCHNOP_send, 1) after close = -22"), lines.toString());
        assertTrue(run.records().stream().anyMatch(r -> r instanceof Exchange e && e.request() instanceof PortWrite p
                && p.port() == 0xe9));
    }

    @Test
    void cpuidAnswersComeFirstThenTheMsrWriteThenTheTransportPage() {
        List<TraceRecord> rs = run.records();
        Exchange first = assertInstanceOf(Exchange.class, rs.getFirst());
        CpuidQuery q = assertInstanceOf(CpuidQuery.class, first.request());
        assertEquals(0x40000000, q.leaf());
        // xen-abi.md §2: "XenV" "MMXe" "nVMM" and EAX = base + 5.
        assertEquals(List.of(0x40000005L, 0x566e6558L, 0x65584d4dL, 0x4d4d566eL),
                java.util.Arrays.stream(first.observation().returns()).boxed().toList());
        int msr = -1;
        for (int i = 0; i < rs.size(); i++) {
            if (rs.get(i) instanceof Exchange e && e.request() instanceof MsrWrite w) {
                assertEquals(0x40000000, w.index(), "CPUID base+2 EBX names MSR 0x40000000");
                msr = i;
                break;
            }
        }
        assertTrue(msr > 0);
        TransportPage page = assertInstanceOf(TransportPage.class, rs.get(msr + 1));
        assertEquals(((MsrWrite) ((Exchange) rs.get(msr)).request()).value(), page.gpa());
        byte[] bytes = page.bytes();
        assertEquals(4096, bytes.length);
        for (int i = 0; i + 2 < bytes.length; i++) {
            assertFalse(StubPatcher.isTrap(bytes, i), "vmcall/vmmcall left at offset " + i);
        }
        // Stub 17 (xen_version): mov $17,%eax; out %al,$0xe5; nop; ret.
        assertEquals(List.of(0xB8, 17, 0, 0, 0, 0xE6, 0xE5, 0x90, 0xC3), unsigned(bytes, 17 * 32, 9));
    }

    @Test
    void headerNamesTheGuestBackendAndHost() throws Exception {
        XenBackend xen = new XenBackend(XenConfig.fromMap(HostFacts.xenHostConfig()));
        byte[] image = dev.hcdiff.recorder.guest.BuiltinGuests.load("hello");
        JournalHeader h = Recorder.header(Recorder.RecordOptions.of("hello", image, 0), xen);
        assertEquals("hello", h.get(JournalHeader.GUEST));
        assertEquals(java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256").digest(image)),
                h.get(JournalHeader.GUEST_SHA256));
        assertEquals("xen", h.get(JournalHeader.BACKEND));
        assertEquals("1", h.get(JournalHeader.VCPUS));
        assertEquals(Long.toString(Recorder.RecordOptions.DEFAULT_MEMORY), h.get(JournalHeader.MEMORY_BYTES));
        assertEquals(HostFacts.cpuVendor(), h.config().get(XenConfig.VENDOR));
        assertTrue(h.get(JournalHeader.HOST_KVM).contains("KVM_CAP_X86_USER_SPACE_MSR=1"), h.get(JournalHeader.HOST_KVM));
    }

    private static long portWritten(Exchange e) {
        // struct evtchn_alloc_unbound: port @4 (xen-abi.md appendix).
        return le32(e.observation().writes(), 4);
    }

    private static long statusWritten(Exchange e) {
        // struct evtchn_status: status @8.
        return le32(e.observation().writes(), 8);
    }

    /** The 32-bit value at {@code offset} of the (single, struct-sized) chunk written back. */
    private static long le32(List<MemChunk> writes, int offset) {
        MemChunk c = writes.getFirst();
        return (c.byteAt(offset) & 0xFF) | (c.byteAt(offset + 1) & 0xFF) << 8 | (c.byteAt(offset + 2) & 0xFF) << 16
                | (long) (c.byteAt(offset + 3) & 0xFF) << 24;
    }

    private static List<Integer> unsigned(byte[] b, int from, int n) {
        List<Integer> out = new java.util.ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(b[from + i] & 0xFF);
        }
        return out;
    }
}
