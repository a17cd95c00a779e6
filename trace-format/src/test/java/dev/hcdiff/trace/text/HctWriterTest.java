package dev.hcdiff.trace.text;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import org.junit.jupiter.api.Test;

import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HctWriterTest {

    private static Exchange hypercall(long seq, Abi abi, long call, long... args) {
        long[] six = new long[6];
        System.arraycopy(args, 0, six, 0, args.length);
        return new Exchange(seq, 0, 0, new Hypercall(0, abi, call, six), List.of(), Observation.builder().build());
    }

    private static List<String> lines(JournalHeader header, TraceRecord... records) {
        return HctWriter.toText(header, List.of(records)).lines().toList();
    }

    private static String requestLine(TraceRecord r) {
        return lines(JournalHeader.create(), r).stream().filter(l -> l.startsWith("@")).findFirst().orElseThrow();
    }

    @Test
    void theVersionLineComesFirstThenTheHeaderThenExpect() {
        List<String> lines = lines(JournalHeader.create().with("guest", "hello.elf").with("expect", "agree"));
        assertEquals("hct 1", lines.get(0));
        assertTrue(lines.get(1).startsWith("# "), lines.get(1));
        assertEquals(List.of("header format=1", "header guest=hello.elf", "expect agree"), lines.subList(2, 5));
    }

    @Test
    void anExpectValueOutsideTheExpectGrammarStaysAHeaderLine() {
        assertTrue(lines(JournalHeader.create().with("expect", "maybe later")).contains("header expect=maybe later"));
    }

    @Test
    void aHypercallLineCarriesItsDecodedNames() {
        Exchange x = new Exchange(5, 1200345, 8731,
                new Hypercall(0, Abi.XEN64, 32, new long[]{4, 0x7ffe00, 0, 0, 0, 0}), List.of(), Observation.builder().build());
        assertEquals("@0 t=1200345 d=8731 vcpu=0 xen64 event_channel_op/EVTCHNOP_send args=0x4,0x7ffe00,0,0,0,0",
                requestLine(new Exchange(0, x.timeNs(), x.durationNs(), x.request(), x.reads(), x.observation())));
    }

    @Test
    void unknownNumbersAreWrittenAsNumbers() {
        assertTrue(requestLine(hypercall(0, Abi.XEN64, 99)).contains(" xen64 99 args="));
        assertTrue(requestLine(hypercall(0, Abi.XEN32, 32, 99)).contains(" xen32 event_channel_op/99 args=0x63,"));
        assertTrue(requestLine(hypercall(0, Abi.HV64, 0x77)).contains(" hv64 0x77 args="));
        assertTrue(requestLine(hypercall(0, Abi.HV64, 0x2_0000_005dL)).contains(" hv64 HvCallSignalEvent control=0x200000000 args="));
        assertTrue(requestLine(hypercall(0, Abi.XEN64, 15, 5)).contains(" xen64 set_timer_op args=0x5,"));
    }

    @Test
    void aPageIsSplitIntoThirtyTwoByteLinesWithCheckedContinuations() {
        byte[] page = new byte[4096];
        page[32] = 0x11;
        List<String> lines = lines(JournalHeader.create(), new TransportPage(0, 7, 0x7000, page));
        int at = lines.indexOf("@0 t=7 transport-page");
        assertEquals("  page 0x7000 " + "00".repeat(32), lines.get(at + 1));
        assertEquals("  + 0x7020 11" + "00".repeat(31), lines.get(at + 2));
        assertEquals("  + 0x7fe0 " + "00".repeat(32), lines.get(at + 128));
        assertEquals(at + 129, lines.size());
    }

    @Test
    void consoleBytesAreEscapedAndSplitAfterNewlines() {
        byte[] console = "Hi\n\"q\"\\".getBytes(StandardCharsets.US_ASCII);
        byte[] all = new byte[console.length + 2];
        System.arraycopy(console, 0, all, 0, console.length);
        all[console.length] = 0;
        all[console.length + 1] = (byte) 0xff;
        Exchange x = new Exchange(0, 0, 0, new PortWrite(0, 0xe9, 1, 0x48), List.of(),
                Observation.builder().console(all).build());
        List<String> lines = lines(JournalHeader.create(), x);
        assertTrue(lines.contains("  console \"Hi\\n\""), lines.toString());
        assertTrue(lines.contains("  console \"\\\"q\\\"\\\\\\x00\\xff\""), lines.toString());
    }

    @Test
    void errnoReturnsAreDecimalAndTextIsQuotedOnlyWhenItMustBe() {
        Observation o = Observation.builder().returns(-22, 0xffff_ffff_0000_0000L).trail("HvCallSignalEvent(conn=1) -> 0x0")
                .trail(" leading blank").trail("").build();
        List<String> lines = lines(JournalHeader.create(), new Exchange(0, 0, 0,
                new Hypercall(0, Abi.XEN64, 29, new long[6]), List.of(), o));
        assertTrue(lines.contains("  returns -22,0xffffffff00000000"), lines.toString());
        assertTrue(lines.contains("  trail HvCallSignalEvent(conn=1) -> 0x0"), lines.toString());
        assertTrue(lines.contains("  trail \" leading blank\""), lines.toString());
        assertTrue(lines.contains("  trail \"\""), lines.toString());
    }

    @Test
    void memoryChunksKeepTheirBoundaries() {
        Observation o = Observation.builder().write(new MemChunk(0x1000, new byte[]{1})).write(new MemChunk(0x1001, new byte[]{2}))
                .build();
        List<String> lines = lines(JournalHeader.create(), new Exchange(0, 0, 0,
                new Hypercall(0, Abi.XEN64, 29, new long[6]), List.of(), o));
        assertTrue(lines.containsAll(List.of("  write 0x1000 01", "  write 0x1001 02")), lines.toString());
    }

    @Test
    void aStopLineEndsWithItsDetailAndADeliveryWithItsSource() {
        assertEquals("@0 t=9 stop triple-fault vcpu=1 rip=0xfff0 KVM_EXIT_SHUTDOWN after #DF",
                requestLine(new GuestStop(0, 9, GuestStop.StopReason.TRIPLE_FAULT, 1, 0xfff0, "KVM_EXIT_SHUTDOWN after #DF")));
        assertEquals("@0 t=9 delivery vcpu=0 vector=0xf3 upcall", requestLine(new Delivery(0, 9, 0, 0xf3, "upcall")));
    }

    @Test
    void recordsMustArriveInSeqOrder() {
        try (HctWriter w = new HctWriter(new StringWriter(), JournalHeader.create())) {
            var e = assertThrows(IllegalArgumentException.class, () -> w.append(new Delivery(1, 0, 0, 0, "x")));
            assertEquals("record seq 1 written where seq 0 is due", e.getMessage());
        }
    }
}
