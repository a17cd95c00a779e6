package dev.hcdiff.trace.text;

import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.VcpuState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Hand-written cases read as the grammar in {@link HctReader} says. Call numbers are from
 * xen/include/public/xen.h (__HYPERVISOR_event_channel_op 32, __HYPERVISOR_memory_op 12), sub-ops
 * from event_channel.h (EVTCHNOP_send 4) and memory.h (XENMEM_populate_physmap 6,
 * MEMOP_CMD_MASK 0x3f), Hyper-V codes from the TLFS (HvCallSignalEvent 0x005D).
 */
class HctReaderTest {

    @TempDir
    Path tmp;

    private static List<TraceRecord> read(String text) {
        try (HctReader r = HctReader.ofText(text, "case.hct")) {
            return r.readAll();
        }
    }

    private static TraceRecord only(String text) {
        List<TraceRecord> all = read(text);
        assertEquals(1, all.size());
        return all.get(0);
    }

    private static Hypercall call(String text) {
        return (Hypercall) ((Exchange) only(text)).request();
    }

    @Test
    void aHypercallWithEveryDetailReadsIntoTheRecordItDescribes() {
        TraceRecord r = only("""
                hct 1
                header guest=hello.elf
                @0 t=1200345 d=8731 vcpu=0 xen64 event_channel_op/EVTCHNOP_send args=0x4,0x7ffe00,0,0,0,0
                  read 0x7ffe00 04000000
                  returns 0x0
                  write 0x7ffe10 ff
                  event 3
                  interrupt vcpu=0 vector=0xf3 upcall
                  timer vcpu=0 singleshot deadline=5000 period=0
                  console "Hello\\n"
                  vcpu blocked deadline=9000 ports=1,2
                  shutdown 0
                  trail HvCallSignalEvent(conn=0x10001, flag=0) -> 0x0
                """);
        Observation o = new Observation(new long[]{0}, Fault.NONE, List.of(new MemChunk(0x7ffe10, new byte[]{(byte) 0xff})),
                List.of(3), List.of(new Interrupt(0, 0xf3, "upcall")), List.of(new TimerArm(0, "singleshot", 5000, 0)),
                "Hello\n".getBytes(StandardCharsets.US_ASCII), new VcpuState(VcpuState.Run.BLOCKED, 9000, List.of(1, 2)),
                0, List.of("HvCallSignalEvent(conn=0x10001, flag=0) -> 0x0"));
        Exchange expected = new Exchange(0, 1200345, 8731,
                new Hypercall(0, Abi.XEN64, 32, new long[]{4, 0x7ffe00, 0, 0, 0, 0}),
                List.of(new MemChunk(0x7ffe00, new byte[]{4, 0, 0, 0})), o);
        assertEquals(expected, r);
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "xen64 event_channel_op/EVTCHNOP_send args=4,0x7ffe00",
            "xen64 event_channel_op/4 args=0x4,0x7ffe00,0,0,0,0",
            "xen64 32/4 args=4,8388096",
            "xen64 32 args=4,0x7ffe00",
            "xen64 hypercall/32 args=4,0x7ffe00",
    })
    void namesAndNumbersSpellTheSameCall(String request) {
        Hypercall h = call("hct 1\n@0 t=0 vcpu=0 " + request + "\n");
        assertEquals(new Hypercall(0, Abi.XEN64, 32, new long[]{4, 0x7ffe00, 0, 0, 0, 0}), h);
    }

    @Test
    void withoutArgsTheNamedSubOpIsTheFirstArgument() {
        assertEquals(new Hypercall(1, Abi.XEN32, 32, new long[]{4, 0, 0, 0, 0, 0}),
                call("hct 1\n@0 t=0 vcpu=1 xen32 event_channel_op/EVTCHNOP_send\n"));
    }

    @Test
    void memoryOpSubOpsIgnoreTheContinuationBitsAboveTheCommandMask() {
        // cmd 0x106: continuation start extent 4 << 6 (MEMOP_EXTENT_SHIFT) | XENMEM_populate_physmap
        assertEquals(0x106, call("hct 1\n@0 t=0 vcpu=0 xen64 memory_op/XENMEM_populate_physmap args=0x106\n").arg(0));
    }

    @Test
    void hyperVCallsTakeTheTlfsNameOrTheCodeAndKeepTheControlBits() {
        Hypercall byName = call("hct 1\n@0 t=0 vcpu=0 hv64 HvCallSignalEvent control=0x100000000 args=0x10001,0\n");
        Hypercall byCode = call("hct 1\n@0 t=0 vcpu=0 hv64 0x5d control=0x100000000 args=0x10001\n");
        assertEquals(new Hypercall(0, Abi.HV64, 0x1_0000_005dL, new long[]{0x10001, 0, 0, 0, 0, 0}), byName);
        assertEquals(byName, byCode);
    }

    @Test
    void commentsBlankLinesAndTheExpectLineAreAcceptedAnywhereTheGrammarSays() {
        String text = """
                hct 1
                # a case about delivery
                header recorder=hand written = yes

                expect known:grant-copy,timer-units
                @0 t=5 delivery vcpu=1 vector=-1 "gsi callback"
                  # a comment inside a group
                # after it

                @1 t=6 stop shutdown vcpu=0 rip=0x100234 SCHEDOP_shutdown(poweroff)
                """;
        try (HctReader r = HctReader.ofText(text, "case.hct")) {
            assertEquals("hand written = yes", r.header().get(JournalHeader.RECORDER));
            assertEquals("known:grant-copy,timer-units", r.header().get(JournalHeader.EXPECT));
            assertEquals(List.of(new Delivery(0, 5, 1, -1, "gsi callback"),
                    new GuestStop(1, 6, GuestStop.StopReason.SHUTDOWN, 0, 0x100234, "SCHEDOP_shutdown(poweroff)")),
                    r.readAll());
            assertTrue(r.complete());
        }
    }

    @Test
    void theScannerReportsCommentsAfterTheRecordTheyFollow() {
        List<String> events = new ArrayList<>();
        new HctScanner(new java.io.StringReader("hct 1\n# top\n@0 t=1 delivery vcpu=0 vector=1 x\n  # in\n# after\n"
                + "@1 t=2 delivery vcpu=0 vector=1 y\n"), "case.hct").scan(new HctScanner.Handler() {
            @Override
            public void onHeader(JournalHeader header) {
                events.add("header");
            }

            @Override
            public void onRecord(TraceRecord record, int line) {
                events.add("record@" + line);
            }

            @Override
            public void onComment(String text, int line) {
                events.add("comment" + text + "@" + line);
            }
        });
        assertEquals(List.of("comment top@2", "header", "record@3", "comment in@4", "comment after@5", "record@6"), events);
    }

    @Test
    void longBlocksContinueOnPlusLinesAndHexMayBeGrouped() {
        Exchange x = (Exchange) only("""
                hct 1
                @0 t=0 vcpu=0 msr-write index=0x40000000 value=0x7001
                  write 0x7000 0f01 c1c3
                  + 0x7004 90
                  write 0x7005 -
                """);
        assertEquals(List.of(new MemChunk(0x7000, new byte[]{0x0f, 0x01, (byte) 0xc1, (byte) 0xc3, (byte) 0x90}),
                new MemChunk(0x7005, new byte[0])), x.observation().writes());
    }

    @Test
    void consoleLinesConcatenateAndTakeEscapesAndRawUtf8() {
        Exchange x = (Exchange) only("hct 1\n@0 t=0 vcpu=0 port-out port=0xe9 size=1 value=0x41\n"
                + "  console \"a\\\"b\\\\\\x00\\xff\"\n  console \"é\\t\"\n");
        byte[] expected = {'a', '"', 'b', '\\', 0, (byte) 0xff, (byte) 0xc3, (byte) 0xa9, '\t'};
        assertEquals(new String(expected, StandardCharsets.ISO_8859_1),
                new String(x.observation().console(), StandardCharsets.ISO_8859_1));
    }

    @Test
    void aFaultAndNegativeReturnsRead() {
        Exchange x = (Exchange) only("hct 1\n@0 t=0 vcpu=0 msr-read index=0x40000001\n  returns -22,0xffffffffffffffff\n  fault gp\n");
        assertEquals(Fault.GP, x.observation().fault());
        assertEquals(List.of(-22L, -1L), List.of(x.observation().returns()[0], x.observation().returns()[1]));
    }

    // ------------------------------------------------------------------ errors: file:LINE: what

    private static TraceFormatException error(String text) {
        return assertThrows(TraceFormatException.class, () -> read(text));
    }

    private static void assertError(String text, int line, String message) {
        TraceFormatException e = error(text);
        assertEquals("case.hct:" + line + ": " + message, e.getMessage());
        assertEquals(line, e.position());
    }

    @Test
    void aBadVersionLineIsRejected() {
        assertError("hct 2\n", 1, "unsupported version '2': this reader reads 'hct 1'");
        assertError("hello\n", 1, "not an hct file: the first line must be 'hct 1', found 'hello'");
        assertError("", 1, "empty file: the first line must be 'hct 1'");
    }

    @Test
    void anUnknownCallNameIsRejected() {
        assertError("hct 1\n\n@0 t=0 vcpu=0 xen64 event_chanel_op/EVTCHNOP_send\n", 3,
                "unknown Xen hypercall 'event_chanel_op' (use a name from xen/include/public/xen.h without __HYPERVISOR_, or the number)");
        assertError("hct 1\n@0 t=0 vcpu=0 xen64 event_channel_op/EVTCHNOP_sned\n", 2,
                "unknown sub-op 'EVTCHNOP_sned' of event_channel_op");
        assertError("hct 1\n@0 t=0 vcpu=0 hv64 HvCallSignalEvnt\n", 2,
                "unknown Hyper-V call 'HvCallSignalEvnt' (use a TLFS name such as HvCallSignalEvent, or the code)");
    }

    @Test
    void aBadHexDigitIsRejected() {
        assertError("hct 1\n@0 t=0 vcpu=0 xen64 sched_op/SCHEDOP_yield\n  read 0x7ffe00 04zz0000\n", 3,
                "bad hex digit 'z' in read");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-read index=0x4000000g\n", 2,
                "bad hex number '0x4000000g' for index (0x and 1 to 16 hex digits)");
    }

    @Test
    void aMissingFieldIsRejected() {
        assertError("hct 1\n@0 t=0 vcpu=0 cpuid subleaf=0\n", 2, "expected leaf=<number>, found 'subleaf=0'");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-write index=0x10\n", 2, "missing value=<number>");
        assertError("hct 1\n@0 vcpu=0 msr-read index=0x10\n", 2, "expected t=<number>, found 'vcpu=0'");
        assertError("hct 1\n@0 t=0 transport-page\n", 2, "transport-page @0 needs a 'page <gpa> <hex>' line");
        assertError("hct 1\n@0 t=0 vcpu=0 guest-write\n  read 0x10 00\n", 2, "guest-write @0 needs a 'data <gpa> <hex>' line");
    }

    @Test
    void structuralMistakesAreRejectedAtTheirLine() {
        assertError("hct 1\n@1 t=0 delivery vcpu=0 vector=1 x\n", 2, "record @1 is out of order: expected @0");
        assertError("hct 1\n@0 t=0 vcpu=0 xen64 event_channel_op/EVTCHNOP_send args=5\n", 2,
                "sub-op EVTCHNOP_send (4) does not match args[0]=0x5, which selects sub-op 5");
        assertError("hct 1\n@0 t=0 delivery vcpu=0 vector=1 x\nheader guest=late\n", 3,
                "'header' lines must come before the first record");
        assertError("hct 1\n  returns 0\n", 2,
                "indented detail line outside a record (a record starts with '@<seq>' in column 1)");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-read index=1\n  write 0x10 0011\n  + 0x13 22\n", 4,
                "continuation at 0x13, but the write block above ends at 0x12");
        assertError("hct 1\n@0 t=0 delivery vcpu=0 vector=1 x\n  returns 0\n", 3,
                "'returns' lines belong to exchanges, not to a delivery");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-read index=1\n  returns 0\n  returns 1\n", 4,
                "a second 'returns' line in one record");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-read index=1\n  trail \"open\n", 3,
                "unterminated quoted trail step starting at column 9");
        assertError("hct 1\nheader a=1\nheader a=2\n", 3, "header key 'a' is set twice");
        assertError("hct 1\nexpect maybe\n", 2, "bad expect 'maybe' (expected agree or known:<id>,<id>…)");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-read index=0x100000000\n", 2, "index 4294967296 does not fit in 32 bits");
        assertError("hct 1\n@0 t=0 vcpu=0 msr-read index=1 extra\n", 2, "unexpected 'extra' at the end of the line");
    }

    @Test
    void aFormatOtherThanTheOneThisReaderReadsIsRefusedAtItsLine() {
        assertError("hct 1\nheader guest=a.elf\nheader format=9\n@0 t=0 delivery vcpu=0 vector=1 x\n", 3,
                "unsupported trace format 9 (this hcdiff reads format 1)");
        assertError("hct 1\nheader format=\n", 2, "unsupported trace format '' (this hcdiff reads format 1)");
    }

    @Test
    void aHeaderWithoutFormatMeansFormatOne() {
        try (HctReader r = HctReader.ofText("hct 1\nheader guest=a.elf\n@0 t=0 delivery vcpu=0 vector=1 x\n", "case.hct")) {
            assertEquals(null, r.header().get(JournalHeader.FORMAT), "the header is read as written");
            assertEquals(1, r.readAll().size());
        }
        try (HctReader r = HctReader.ofText("hct 1\nheader format=1\n", "case.hct")) {
            assertEquals("1", r.header().get(JournalHeader.FORMAT));
        }
    }

    @Test
    void aFileWithInvalidUtf8IsRejectedWithItsLine() throws IOException {
        Path file = tmp.resolve("bad.hct");
        Files.write(file, new byte[]{'h', 'c', 't', ' ', '1', '\n', '#', ' ', (byte) 0xc3, '(', '\n'});
        var e = assertThrows(TraceFormatException.class, () -> HctReader.readAll(file));
        assertEquals(file + ":2: not valid UTF-8", e.getMessage());
    }

    @Test
    void aMissingFileIsOneLine() {
        var e = assertThrows(TraceFormatException.class, () -> HctReader.open(tmp.resolve("none.hct")));
        assertEquals("no such file: " + tmp.resolve("none.hct"), e.getMessage());
    }

    @Test
    void aTraceWithoutStopIsNotComplete() {
        try (HctReader r = HctReader.ofText("hct 1\n@0 t=0 delivery vcpu=0 vector=1 x\n", "case.hct")) {
            assertFalse(r.complete());
        }
    }
}
