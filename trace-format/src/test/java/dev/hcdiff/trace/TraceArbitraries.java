package dev.hcdiff.trace;

import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.CpuMode;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import dev.hcdiff.trace.record.VcpuState;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Tuple;

import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;

/**
 * jqwik generators for every record type and every field, built by composition so shrinking
 * works (style.md §5.2): numbers include 0, -1, Long.MIN_VALUE and Long.MAX_VALUE (jqwik's edge
 * cases), byte arrays every value 0x00-0xff and the empty array, strings quotes, backslashes,
 * newlines, controls, line separators and non-BMP characters.
 */
public final class TraceArbitraries {

    private TraceArbitraries() {
    }

    public static Arbitrary<Long> longs() {
        return Arbitraries.longs();
    }

    public static Arbitrary<Integer> ints() {
        return Arbitraries.integers();
    }

    /** Bytes, mostly short, sometimes a whole 4 KiB page. */
    public static Arbitrary<byte[]> bytes() {
        return Arbitraries.frequencyOf(
                Tuple.of(9, Arbitraries.bytes().array(byte[].class).ofMaxSize(70)),
                Tuple.of(1, Arbitraries.bytes().array(byte[].class).ofSize(4096)));
    }

    /** Code points that stress quoting and encoding. */
    private static final int[] AWKWARD = {'"', '\\', '\n', '\r', '\t', ' ', '=', ',', '#', '@', '+', 0, 0x1b,
            0x7f, 0x85, 0xa0, 0xe9, 0x2028, 0x2029, 0x3000, 0xfeff, 0xfffd, 0x1F600, 0x10FFFF};

    /** Any string of valid Unicode (no unpaired surrogates: UTF-8 cannot carry them). */
    public static Arbitrary<String> strings() {
        Arbitrary<Integer> codePoint = Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.integers().between(0x21, 0x7e)),
                Tuple.of(2, Arbitraries.of(toList(AWKWARD))),
                Tuple.of(1, Arbitraries.integers().between(0, 0x10FFFF).filter(c -> c < 0xD800 || c > 0xDFFF)));
        return codePoint.list().ofMaxSize(24).map(TraceArbitraries::fromCodePoints);
    }

    /** A single-line string, as header values must be. */
    public static Arbitrary<String> lines() {
        return strings().map(s -> s.replace('\n', ' ').replace('\r', ' '));
    }

    private static List<Integer> toList(int[] values) {
        List<Integer> l = new ArrayList<>();
        for (int v : values) {
            l.add(v);
        }
        return l;
    }

    private static String fromCodePoints(List<Integer> cps) {
        StringBuilder sb = new StringBuilder();
        cps.forEach(sb::appendCodePoint);
        return sb.toString();
    }

    public static Arbitrary<MemChunk> chunks() {
        return Combinators.combine(longs(), bytes()).as(MemChunk::new);
    }

    /** Hypercall numbers: known Xen numbers, small unknown ones, anything. */
    private static Arbitrary<Long> callNumbers() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, Arbitraries.longs().between(0, 45)),
                Tuple.of(1, Arbitraries.longs().between(0, 0x1_0000_005dL)),
                Tuple.of(1, longs()));
    }

    /** First arguments: small sub-op numbers mostly, so sub-op names appear. */
    private static Arbitrary<Long> firstArgs() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.longs().between(0, 30)),
                Tuple.of(1, Arbitraries.longs().between(0x100, 0x1_0000_0010L)),
                Tuple.of(1, longs()));
    }

    public static Arbitrary<Hypercall> hypercalls() {
        Arbitrary<long[]> args = Combinators.combine(firstArgs(), longs().array(long[].class).ofSize(5))
                .as((first, rest) -> {
                    long[] a = new long[Hypercall.ARG_COUNT];
                    a[0] = first;
                    System.arraycopy(rest, 0, a, 1, 5);
                    return a;
                });
        return Combinators.combine(ints(), Arbitraries.of(Abi.class), callNumbers(), args).as(Hypercall::new);
    }

    public static Arbitrary<GuestRequest> requests() {
        return Arbitraries.frequencyOf(
                Tuple.of(4, hypercalls()),
                Tuple.of(1, Combinators.combine(ints(), ints(), ints()).as(CpuidQuery::new)),
                Tuple.of(1, Combinators.combine(ints(), ints()).as(MsrRead::new)),
                Tuple.of(1, Combinators.combine(ints(), ints(), longs(), Arbitraries.of(CpuMode.class)).as(MsrWrite::new)),
                Tuple.of(1, Combinators.combine(ints(), longs(), ints()).as(MmioRead::new)),
                Tuple.of(1, Combinators.combine(ints(), longs(), ints(), longs()).as(MmioWrite::new)),
                Tuple.of(1, Combinators.combine(ints(), ints(), ints()).as(PortRead::new)),
                Tuple.of(1, Combinators.combine(ints(), ints(), ints(), longs()).as(PortWrite::new)),
                Tuple.of(1, Combinators.combine(ints(), chunks()).as(GuestWrite::new)));
    }

    public static Arbitrary<VcpuState> vcpuStates() {
        return Arbitraries.frequencyOf(
                Tuple.of(3, Arbitraries.just(VcpuState.RUNNING)),
                Tuple.of(2, Combinators.combine(Arbitraries.of(VcpuState.Run.class), longs(), ints().list().ofMaxSize(4))
                        .as(VcpuState::new)));
    }

    public static Arbitrary<Observation> observations() {
        Arbitrary<long[]> returns = longs().array(long[].class).ofMaxSize(4);
        Arbitrary<List<MemChunk>> writes = chunks().list().ofMaxSize(3);
        Arbitrary<List<Integer>> events = ints().list().ofMaxSize(3);
        Arbitrary<List<Interrupt>> interrupts = Combinators.combine(ints(), ints(), strings()).as(Interrupt::new)
                .list().ofMaxSize(3);
        Arbitrary<List<TimerArm>> timers = Combinators.combine(ints(), strings(), longs(), longs()).as(TimerArm::new)
                .list().ofMaxSize(3);
        Arbitrary<byte[]> console = Arbitraries.oneOf(bytes(),
                strings().map(s -> s.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        Arbitrary<List<String>> trail = strings().list().ofMaxSize(3);
        var first = Combinators.combine(returns, Arbitraries.of(Fault.class), writes, events, interrupts)
                .as(Tuple::of);
        var second = Combinators.combine(timers, console, vcpuStates(), ints(), trail).as(Tuple::of);
        return Combinators.combine(first, second).as((a, b) -> new Observation(a.get1(), a.get2(), a.get3(),
                a.get4(), a.get5(), b.get1(), b.get2(), b.get3(), b.get4(), b.get5()));
    }

    /** Any record; its seq is arbitrary too. */
    public static Arbitrary<TraceRecord> records() {
        Arbitrary<TraceRecord> exchange = Combinators.combine(longs(), longs(), longs(), requests(),
                chunks().list().ofMaxSize(3), observations()).as(Exchange::new);
        Arbitrary<TraceRecord> page = Combinators.combine(longs(), longs(), longs(), bytes()).as(TransportPage::new);
        Arbitrary<TraceRecord> delivery = Combinators.combine(longs(), longs(), ints(), ints(), strings())
                .as(Delivery::new);
        Arbitrary<TraceRecord> stop = Combinators.combine(longs(), longs(), Arbitraries.of(GuestStop.StopReason.class),
                ints(), longs(), strings()).as(GuestStop::new);
        return Arbitraries.frequencyOf(Tuple.of(5, exchange), Tuple.of(1, page), Tuple.of(1, delivery), Tuple.of(1, stop));
    }

    /** A trace body: records whose seqs run 0, 1, 2 …. */
    public static Arbitrary<List<TraceRecord>> traces() {
        return records().list().ofMaxSize(8).map(TraceArbitraries::renumber);
    }

    public static List<TraceRecord> renumber(List<TraceRecord> records) {
        List<TraceRecord> out = new ArrayList<>(records.size());
        for (int i = 0; i < records.size(); i++) {
            out.add(withSeq(records.get(i), i));
        }
        return out;
    }

    public static TraceRecord withSeq(TraceRecord r, long seq) {
        return switch (r) {
            case Exchange x -> new Exchange(seq, x.timeNs(), x.durationNs(), x.request(), x.reads(), x.observation());
            case TransportPage p -> new TransportPage(seq, p.timeNs(), p.gpa(), p.bytes());
            case Delivery d -> new Delivery(seq, d.timeNs(), d.vcpu(), d.vector(), d.source());
            case GuestStop s -> new GuestStop(seq, s.timeNs(), s.reason(), s.vcpu(), s.rip(), s.detail());
        };
    }

    /** Headers with any keys, single-line values, and sometimes a well-formed or odd {@code expect}. */
    public static Arbitrary<JournalHeader> headers() {
        Arbitrary<String> keys = Arbitraries.strings().withChars("abcdefghijklmnopqrstuvwxyz0123456789._-")
                .ofMinLength(1).ofMaxLength(12);
        Arbitrary<String> expect = Arbitraries.oneOf(Arbitraries.just("agree"), Arbitraries.just("known:grant-copy,xen.ballooning"),
                lines());
        return Combinators.combine(Arbitraries.maps(keys, lines()).ofMaxSize(6), expect.optional(),
                        Arbitraries.of(true, false))
                .as((fields, exp, withFormat) -> {
                    TreeMap<String, String> m = new TreeMap<>(fields);
                    m.remove(JournalHeader.FORMAT); // readers refuse any format but theirs
                    if (withFormat) {
                        m.put(JournalHeader.FORMAT, JournalHeader.FORMAT_VERSION);
                    }
                    exp.ifPresent(e -> m.put(JournalHeader.EXPECT, e));
                    return new JournalHeader(m);
                });
    }
}
