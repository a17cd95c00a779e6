package dev.hcdiff.cli;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;
import net.jqwik.api.constraints.StringLength;
import org.junit.jupiter.api.Test;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code hcdiff show}'s listing, on the shipped hello recording and on records made here. */
class ShowListingTest {

    static CliTest.Run show(String... args) {
        return CliTest.run(args);
    }

    static List<String> lines(String s) {
        return s.lines().toList();
    }

    @Test
    void theHelloRecordingListsOneLinePerCallWithNamesArgumentsAndErrnoNames() {
        CliTest.Run r = show("show", CliTest.HELLO_CASE.toString());
        assertEquals(0, r.code(), r.err());
        List<String> out = lines(r.out());
        assertTrue(out.getFirst().startsWith("# "), out.getFirst());
        assertTrue(out.getFirst().contains("guest hello"), out.getFirst());
        // Xen 4.17's XENVER_version is 4<<16|17 (xen-abi.md §5.1); xen_version takes (cmd, arg).
        assertTrue(out.contains("@41         28.062ms  xen_version/XENVER_version args=0,0 -> 0x40011"), r.out());
        // hello.c sends on port 1 after closing it (the struct it passed reads 01000000): Xen's
        // evtchn_send gives -EINVAL for a free port. The Xen model's describer decodes the struct.
        assertTrue(out.stream().anyMatch(l -> l.startsWith("@377 ")
                && l.endsWith("event_channel_op/EVTCHNOP_send port=1 -> -EINVAL (-22)")), r.out());
        assertTrue(out.stream().anyMatch(l -> l.startsWith("@497 ") && l.contains("sched_op/SCHEDOP_shutdown")
                && l.contains("-> (does not return); vcpu down; shutdown poweroff")), r.out());
        assertTrue(out.getLast().startsWith("@498 "), out.getLast());
        assertTrue(out.getLast().endsWith("stop: shutdown (sched_op/SCHEDOP_shutdown(poweroff)) at rip 0x1013a7"), out.getLast());
    }

    @Test
    void theGuestsConsoleIsShownAsWholeLinesOnceEachInsteadOfOneRecordPerByte() {
        CliTest.Run r = show("show", CliTest.HELLO_CASE.toString());
        List<String> out = lines(r.out());
        // The lines hello.c prints (recorder/guests/hello.c), byte by byte on port 0xe9.
        assertEquals(1, out.stream().filter(l -> l.endsWith("console| hello from hcdiff guest")).count(), r.out());
        assertEquals(1, out.stream().filter(l -> l.endsWith("console| xen_version(XENVER_version) = 0x40011")).count());
        assertFalse(r.out().contains("port/0xe9"), "console bytes are folded into their lines");
        assertTrue(out.size() < 120, "one line per call and per console line, not per byte: " + out.size());
    }

    @Test
    void hctKeepsTheLosslessTextFormAndSummaryTheCounts() {
        CliTest.Run hct = show("show", "--hct", CliTest.HELLO_CASE.toString());
        assertEquals(0, hct.code(), hct.err());
        assertTrue(hct.out().startsWith("hct 1\n"), hct.out());
        assertTrue(hct.out().contains("header guest=hello\n"));
        assertTrue(hct.out().contains("@377 t=56332722 d=176823 vcpu=0 xen64 event_channel_op/EVTCHNOP_send"));
        CliTest.Run sum = show("show", "--summary", CliTest.HELLO_CASE.toString());
        assertEquals(0, sum.code());
        assertTrue(sum.out().contains("       2  event_channel_op/EVTCHNOP_send"), sum.out());
    }

    @Test
    void summaryAndHctTogetherAreAUsageError() {
        CliTest.Run r = show("show", "--summary", "--hct", CliTest.HELLO_CASE.toString());
        assertEquals(ExitCodes.USAGE, r.code());
        CliTest.assertOneLineError(r);
    }

    static Observation returns(long... v) {
        return Observation.builder().returns(v).build();
    }

    static String listing(List<dev.hcdiff.trace.record.TraceRecord> records) {
        StringWriter s = new StringWriter();
        TraceListing l = new TraceListing(new PrintWriter(s));
        records.forEach(l::append);
        l.finish();
        return s.toString();
    }

    static Hypercall xen32(int call, long... args) {
        long[] a = new long[Hypercall.ARG_COUNT];
        System.arraycopy(args, 0, a, 0, args.length);
        return new Hypercall(0, Abi.XEN32, call, a);
    }

    @Test
    void aThirtyTwoBitGuestsNegativeEaxIsNamedAsItsErrno() {
        // hvmloader is a 32-bit guest: -EINVAL comes back as eax = 0xffffffea, zero-extended in the record.
        String s = listing(List.of(new Exchange(7, 1_500_000, 0, xen32(34, 0, 0x8fe3c, 0xdead),
                List.of(), returns(0xffff_ffeaL))));
        assertEquals("@7           1.500ms  hvm_op/HVMOP_set_param args=0,0x8fe3c -> -EINVAL (-22)\n", s);
    }

    @Test
    void writesFaultsAndPortsAreShown() {
        Observation page = Observation.builder().write(new MemChunk(0x80000, new byte[4096])).build();
        String s = listing(List.of(
                new Exchange(1, 0, 0, new MsrWrite(0, 0x40000000, 0x80000, CpuMode.PROTECTED32), List.of(), page),
                new Exchange(2, 0, 0, new MsrWrite(0, 0x40000001, 1, CpuMode.PROTECTED32), List.of(),
                        Observation.builder().fault(Fault.GP).build()),
                new Exchange(3, 0, 0, new PortRead(0, 0xcfc, 4), List.of(), returns(0xffff_ffffL))));
        List<String> l = lines(s);
        assertTrue(l.get(0).endsWith("msr/0x40000000 <- 0x80000; wrote 4096 B at 0x80000"), s);
        assertTrue(l.get(1).endsWith("msr/0x40000001 <- 0x1 -> #GP"), s);
        assertTrue(l.get(2).endsWith("port/0xcfc/in (4 B) -> 0xffffffff"), s);
    }

    @Test
    void anUnfinishedConsoleLineIsShownBeforeTheStop() {
        List<dev.hcdiff.trace.record.TraceRecord> r = new ArrayList<>();
        r.add(new Exchange(0, 0, 0, new PortWrite(0, 0xe9, 1, 'x'), List.of(),
                Observation.builder().console("x".getBytes()).build()));
        r.add(new GuestStop(1, 10, GuestStop.StopReason.HALTED, 0, 0x1234, "hlt with interrupts off"));
        List<String> l = lines(listing(r));
        assertEquals(2, l.size(), l.toString());
        assertTrue(l.get(0).startsWith("@0 ") && l.get(0).endsWith("console| x"), l.toString());
        assertTrue(l.get(1).endsWith("stop: halted (hlt with interrupts off) at rip 0x1234"), l.toString());
    }

    /** However a guest's text is cut into port writes, the listing shows exactly its lines. */
    @Property(tries = 200, seed = "11")
    void consoleLinesAreTheGuestsLinesWhateverTheChunking(
            @ForAll @Size(min = 1, max = 6) List<@StringLength(max = 12) @CharRange(from = ' ', to = '~') String> text,
            @ForAll @IntRange(min = 1, max = 7) int chunk) {
        String all = String.join("\n", text) + "\n";
        byte[] b = all.getBytes();
        List<dev.hcdiff.trace.record.TraceRecord> r = new ArrayList<>();
        for (int i = 0, seq = 0; i < b.length; i += chunk, seq++) {
            byte[] part = java.util.Arrays.copyOfRange(b, i, Math.min(b.length, i + chunk));
            // console_io(CONSOLEIO_write) carries several bytes in one call; the debug port one.
            r.add(new Exchange(seq, seq, 0, new PortWrite(0, 0xe9, 1, part[0]), List.of(),
                    Observation.builder().console(part).build()));
        }
        List<String> shown = lines(listing(r)).stream().map(l -> l.substring(l.indexOf("console| ") + 9)).toList();
        assertEquals(text, shown);
    }
}
