package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuMode;
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
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.TimerArm;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import dev.hcdiff.trace.record.VcpuState;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;

/**
 * The binary form of trace records: one journal document per record (the journal adds a
 * checksum after it, {@code journal.JournalFraming}), every field kept.
 *
 * <h2>Layout, version 1</h2>
 * Every encoding starts with a two-byte big-endian {@linkplain Cookie cookie} naming the record
 * type and layout version; the rest is a sequence of fields:
 * <ul>
 * <li>{@code var}: a signed value, zig-zag LEB128 ({@link VarInts}), for every number;</li>
 * <li>{@code u8}: one byte, for an enum code (explicit codes below, never {@code ordinal()});</li>
 * <li>{@code bytes}: {@code var} length then the raw bytes; {@code str}: {@code var} length then
 *     UTF-8;</li>
 * <li>{@code list<T>}: {@code var} count then the elements; {@code chunk}: {@code var gpa, bytes data}.</li>
 * </ul>
 * <pre>
 * header    0x4801  list&lt;str key, str value&gt; (keys strictly ascending)
 * exchange  0x5801  var seq, var timeNs, var durationNs, request, list&lt;chunk&gt; reads, observation
 *   request   u8 tag, then by tag:
 *             1 hypercall   var vcpu, u8 abi (1 xen64, 2 xen32, 3 hv64), var call, 6 × var arg
 *             2 cpuid       var vcpu, var leaf, var subleaf
 *             3 msr-read    var vcpu, var index
 *             4 msr-write   var vcpu, var index, var value
 *             5 port-in     var vcpu, var port, var size
 *             6 port-out    var vcpu, var port, var size, var value
 *             7 guest-write var vcpu, chunk
 *   observation list&lt;var&gt; returns, u8 fault (0 none, 1 gp, 2 ud), list&lt;chunk&gt; writes,
 *             list&lt;var&gt; eventsPending, list&lt;var vcpu, var vector, str source&gt; interrupts,
 *             list&lt;var vcpu, str timer, var deadlineNs, var periodNs&gt; timers, bytes console,
 *             u8 run (0 running, 1 blocked, 2 down), var deadlineNs, list&lt;var&gt; ports,
 *             var shutdown, list&lt;str&gt; trail
 * transport 0x5001  var seq, var timeNs, var gpa, bytes page
 * delivery  0x4401  var seq, var timeNs, var vcpu, var vector, str source
 * stop      0x5301  var seq, var timeNs, u8 reason (1 shutdown, 2 triple-fault, 3 vmcall, 4 halted,
 *                   5 watchdog, 6 budget, 7 bad-access, 8 kvm-error, 9 unhandled-exit),
 *                   var vcpu, var rip, str detail
 * </pre>
 * The encoding of a record is canonical (one byte string per value), so decode followed by encode
 * gives back the input bytes.
 *
 * <h2>Errors</h2>
 * Decoding throws {@link TraceFormatException} for every malformed input, with
 * {@link TraceFormatException#position()} the byte offset inside the encoding: an unknown cookie
 * (named), a truncated field, a count or length larger than the bytes left, an unknown enum code,
 * invalid UTF-8, trailing bytes. Encoding a record with a null field throws
 * {@link NullPointerException} naming the field; a string with an unpaired surrogate, which UTF-8
 * cannot carry, throws {@link IllegalArgumentException}.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordCodec {

    /** Request tags inside an exchange (layout v1 above). */
    private static final int TAG_HYPERCALL = 1;
    private static final int TAG_CPUID = 2;
    private static final int TAG_MSR_READ = 3;
    private static final int TAG_MSR_WRITE = 4;
    private static final int TAG_PORT_READ = 5;
    private static final int TAG_PORT_WRITE = 6;
    private static final int TAG_GUEST_WRITE = 7;
    private static final int TAG_MMIO_READ = 8;
    private static final int TAG_MMIO_WRITE = 9;
    /** WRMSR with the vCPU's mode; tag 4 (no mode) still decodes, as 64-bit mode. */
    private static final int TAG_MSR_WRITE_MODE = 10;

    private RecordCodec() {
    }

    // ---------------------------------------------------------------- encoding

    /** The encoding of {@code record}. */
    public static byte[] encode(TraceRecord record) {
        BytesOut out = BytesOut.growable(64);
        write(record, out);
        return out.toByteArray();
    }

    /**
     * Encodes {@code record} into {@code buffer} in one pass, growing it when needed: the encoding
     * is then {@code buffer.array()[0, n)}. Allocates only when the buffer grows.
     *
     * @return the number of bytes written, {@code n}
     */
    public static int encode(TraceRecord record, EncodeBuffer buffer) {
        buffer.out.reset();
        try {
            write(record, buffer.out);
        } catch (RuntimeException e) {
            buffer.out.reset(); // a half-written record must not pass for the last encoding
            throw e;
        }
        return buffer.out.written();
    }

    /** Exact number of bytes {@link #encodeInto} writes for {@code record}. */
    public static int neededCapacity(TraceRecord record) {
        BytesOut out = BytesOut.counting();
        write(record, out);
        return out.written();
    }

    /**
     * Encodes {@code record} into {@code dst} from {@code offset}, allocating nothing.
     *
     * @return the number of bytes written
     * @throws IllegalArgumentException when fewer than {@link #neededCapacity} bytes are free
     */
    public static int encodeInto(TraceRecord record, byte[] dst, int offset) {
        BytesOut out = BytesOut.into(dst, offset);
        write(record, out);
        return out.written();
    }

    /** The encoding of a journal header. */
    public static byte[] encodeHeader(JournalHeader header) {
        BytesOut out = BytesOut.growable(256);
        out.u16(Cookie.HEADER_V1.value);
        Map<String, String> fields = header.fields();
        out.var(fields.size());
        for (var e : fields.entrySet()) {
            out.string(e.getKey());
            out.string(e.getValue());
        }
        return out.toByteArray();
    }

    private static void write(TraceRecord record, BytesOut out) {
        Objects.requireNonNull(record, "record");
        switch (record) {
            case Exchange x -> {
                out.u16(Cookie.EXCHANGE_V1.value);
                out.var(x.seq());
                out.var(x.timeNs());
                out.var(x.durationNs());
                writeRequest(Objects.requireNonNull(x.request(), "Exchange.request"), out);
                writeChunks(x.reads(), out);
                writeObservation(Objects.requireNonNull(x.observation(), "Exchange.observation"), out);
            }
            case TransportPage p -> {
                out.u16(Cookie.TRANSPORT_PAGE_V1.value);
                out.var(p.seq());
                out.var(p.timeNs());
                out.var(p.gpa());
                out.bytes(p.bytes());
            }
            case Delivery d -> {
                out.u16(Cookie.DELIVERY_V1.value);
                out.var(d.seq());
                out.var(d.timeNs());
                out.var(d.vcpu());
                out.var(d.vector());
                out.string(Objects.requireNonNull(d.source(), "Delivery.source"));
            }
            case GuestStop s -> {
                out.u16(Cookie.GUEST_STOP_V1.value);
                out.var(s.seq());
                out.var(s.timeNs());
                out.u8(Codes.stop(Objects.requireNonNull(s.reason(), "GuestStop.reason")));
                out.var(s.vcpu());
                out.var(s.rip());
                out.string(Objects.requireNonNull(s.detail(), "GuestStop.detail"));
            }
        }
    }

    private static void writeRequest(GuestRequest request, BytesOut out) {
        switch (request) {
            case Hypercall h -> {
                out.u8(TAG_HYPERCALL);
                out.var(h.vcpu());
                out.u8(Codes.abi(Objects.requireNonNull(h.abi(), "Hypercall.abi")));
                out.var(h.call());
                for (int i = 0; i < Hypercall.ARG_COUNT; i++) {
                    out.var(h.arg(i));
                }
            }
            case CpuidQuery c -> {
                out.u8(TAG_CPUID);
                out.var(c.vcpu());
                out.var(c.leaf());
                out.var(c.subleaf());
            }
            case MsrRead r -> {
                out.u8(TAG_MSR_READ);
                out.var(r.vcpu());
                out.var(r.index());
            }
            case MsrWrite w -> {
                out.u8(TAG_MSR_WRITE_MODE);
                out.var(w.vcpu());
                out.var(w.index());
                out.var(w.value());
                out.u8(Codes.cpuMode(Objects.requireNonNull(w.mode(), "MsrWrite.mode")));
            }
            case MmioRead m -> {
                out.u8(TAG_MMIO_READ);
                out.var(m.vcpu());
                out.var(m.gpa());
                out.var(m.size());
            }
            case MmioWrite m -> {
                out.u8(TAG_MMIO_WRITE);
                out.var(m.vcpu());
                out.var(m.gpa());
                out.var(m.size());
                out.var(m.value());
            }
            case PortRead p -> {
                out.u8(TAG_PORT_READ);
                out.var(p.vcpu());
                out.var(p.port());
                out.var(p.size());
            }
            case PortWrite p -> {
                out.u8(TAG_PORT_WRITE);
                out.var(p.vcpu());
                out.var(p.port());
                out.var(p.size());
                out.var(p.value());
            }
            case GuestWrite g -> {
                out.u8(TAG_GUEST_WRITE);
                out.var(g.vcpu());
                writeChunk(Objects.requireNonNull(g.chunk(), "GuestWrite.chunk"), out);
            }
        }
    }

    private static void writeObservation(Observation o, BytesOut out) {
        long[] returns = o.returns();
        out.var(returns.length);
        for (long r : returns) {
            out.var(r);
        }
        out.u8(Codes.fault(Objects.requireNonNull(o.fault(), "Observation.fault")));
        writeChunks(o.writes(), out);
        out.var(o.eventsPending().size());
        for (int port : o.eventsPending()) {
            out.var(port);
        }
        out.var(o.interrupts().size());
        for (Interrupt i : o.interrupts()) {
            out.var(i.vcpu());
            out.var(i.vector());
            out.string(Objects.requireNonNull(i.source(), "Interrupt.source"));
        }
        out.var(o.timers().size());
        for (TimerArm t : o.timers()) {
            out.var(t.vcpu());
            out.string(Objects.requireNonNull(t.timer(), "TimerArm.timer"));
            out.var(t.deadlineNs());
            out.var(t.periodNs());
        }
        out.bytes(o.console());
        VcpuState v = Objects.requireNonNull(o.vcpu(), "Observation.vcpu");
        out.u8(Codes.run(Objects.requireNonNull(v.run(), "VcpuState.run")));
        out.var(v.deadlineNs());
        out.var(v.ports().size());
        for (int port : v.ports()) {
            out.var(port);
        }
        out.var(o.shutdown());
        out.var(o.trail().size());
        for (String step : o.trail()) {
            out.string(step);
        }
    }

    private static void writeChunks(List<MemChunk> chunks, BytesOut out) {
        out.var(chunks.size());
        for (MemChunk c : chunks) {
            writeChunk(c, out);
        }
    }

    private static void writeChunk(MemChunk c, BytesOut out) {
        out.var(c.gpa());
        out.bytes(c.data());
    }

    // ---------------------------------------------------------------- decoding

    /**
     * Decodes one record.
     *
     * @throws TraceFormatException when the bytes are not exactly one valid record
     */
    public static TraceRecord decode(byte[] bytes) {
        return decode(bytes, 0, bytes.length);
    }

    /** Decodes one record from {@code length} bytes of {@code buf} at {@code offset}. */
    public static TraceRecord decode(byte[] buf, int offset, int length) {
        BytesIn in = new BytesIn(buf, offset, length);
        int raw = in.u16("record cookie");
        Cookie cookie = Cookie.of(raw);
        if (cookie == null) {
            throw BytesIn.errorAt(0, "unknown record cookie " + Cookie.hex(raw));
        }
        TraceRecord record = switch (cookie) {
            case EXCHANGE_V1 -> readExchange(in);
            case TRANSPORT_PAGE_V1 -> new TransportPage(in.var("seq"), in.var("timeNs"), in.var("gpa"),
                    in.bytes("page"));
            case DELIVERY_V1 -> new Delivery(in.var("seq"), in.var("timeNs"), in.varInt("vcpu"),
                    in.varInt("vector"), in.string("source"));
            case GUEST_STOP_V1 -> new GuestStop(in.var("seq"), in.var("timeNs"), Codes.stopReason(in),
                    in.varInt("vcpu"), in.var("rip"), in.string("detail"));
            case HEADER_V1 -> throw BytesIn.errorAt(0, "expected a record, found the header cookie "
                    + cookie.describe());
        };
        in.expectEnd(cookie.recordType);
        return record;
    }

    /** True when the encoding in the window starts with a header cookie. */
    public static boolean isHeader(byte[] buf, int offset, int length) {
        return length >= 2 && (((buf[offset] & 0xFF) << 8) | (buf[offset + 1] & 0xFF)) == Cookie.HEADER_V1.value;
    }

    /**
     * Decodes a journal header.
     *
     * @throws TraceFormatException when the bytes are not exactly one valid header
     */
    public static JournalHeader decodeHeader(byte[] bytes) {
        return decodeHeader(bytes, 0, bytes.length);
    }

    public static JournalHeader decodeHeader(byte[] buf, int offset, int length) {
        BytesIn in = new BytesIn(buf, offset, length);
        int raw = in.u16("header cookie");
        if (raw != Cookie.HEADER_V1.value) {
            Cookie c = Cookie.of(raw);
            throw BytesIn.errorAt(0, "expected the header cookie " + Cookie.HEADER_V1.describe() + ", found "
                    + (c == null ? "unknown cookie " + Cookie.hex(raw) : c.describe()));
        }
        int n = in.count("header field", 2);
        TreeMap<String, String> fields = new TreeMap<>();
        String previous = null;
        for (int i = 0; i < n; i++) {
            int at = in.position();
            String key = in.string("header key");
            String value = in.string("header value");
            if (previous != null && key.compareTo(previous) <= 0) {
                throw BytesIn.errorAt(at, "header key '" + key + "' is not after '" + previous + "'");
            }
            try {
                JournalHeader.checkKey(key);
            } catch (IllegalArgumentException e) {
                throw BytesIn.errorAt(at, e.getMessage());
            }
            if (value.indexOf('\n') >= 0 || value.indexOf('\r') >= 0) {
                throw BytesIn.errorAt(at, "header value for '" + key + "' spans several lines");
            }
            fields.put(key, value);
            previous = key;
        }
        in.expectEnd("header");
        return new JournalHeader(fields);
    }

    private static Exchange readExchange(BytesIn in) {
        long seq = in.var("seq");
        long time = in.var("timeNs");
        long duration = in.var("durationNs");
        GuestRequest request = readRequest(in);
        List<MemChunk> reads = readChunks(in, "reads");
        Observation observation = readObservation(in);
        return new Exchange(seq, time, duration, request, reads, observation);
    }

    private static GuestRequest readRequest(BytesIn in) {
        int at = in.position();
        int tag = in.u8("request tag");
        return switch (tag) {
            case TAG_HYPERCALL -> {
                int vcpu = in.varInt("vcpu");
                Abi abi = Codes.abi(in);
                long call = in.var("call");
                long[] args = new long[Hypercall.ARG_COUNT];
                for (int i = 0; i < args.length; i++) {
                    args[i] = in.var("arg");
                }
                yield new Hypercall(vcpu, abi, call, args);
            }
            case TAG_CPUID -> new CpuidQuery(in.varInt("vcpu"), in.varInt("leaf"), in.varInt("subleaf"));
            case TAG_MSR_READ -> new MsrRead(in.varInt("vcpu"), in.varInt("index"));
            case TAG_MSR_WRITE -> new MsrWrite(in.varInt("vcpu"), in.varInt("index"), in.var("value"), CpuMode.LONG64);
            case TAG_MSR_WRITE_MODE -> new MsrWrite(in.varInt("vcpu"), in.varInt("index"), in.var("value"), Codes.cpuMode(in));
            case TAG_MMIO_READ -> new MmioRead(in.varInt("vcpu"), in.var("gpa"), in.varInt("size"));
            case TAG_MMIO_WRITE -> new MmioWrite(in.varInt("vcpu"), in.var("gpa"), in.varInt("size"), in.var("value"));
            case TAG_PORT_READ -> new PortRead(in.varInt("vcpu"), in.varInt("port"), in.varInt("size"));
            case TAG_PORT_WRITE -> new PortWrite(in.varInt("vcpu"), in.varInt("port"), in.varInt("size"),
                    in.var("value"));
            case TAG_GUEST_WRITE -> new GuestWrite(in.varInt("vcpu"), readChunk(in, "guest-write chunk"));
            default -> throw BytesIn.errorAt(at, "unknown request tag " + tag);
        };
    }

    private static Observation readObservation(BytesIn in) {
        long[] returns = new long[in.count("returns", 1)];
        for (int i = 0; i < returns.length; i++) {
            returns[i] = in.var("return value");
        }
        Fault fault = Codes.fault(in);
        List<MemChunk> writes = readChunks(in, "writes");
        int nEvents = in.count("eventsPending", 1);
        List<Integer> events = new ArrayList<>(nEvents);
        for (int i = 0; i < nEvents; i++) {
            events.add(in.varInt("event port"));
        }
        int nInterrupts = in.count("interrupts", 3);
        List<Interrupt> interrupts = new ArrayList<>(nInterrupts);
        for (int i = 0; i < nInterrupts; i++) {
            interrupts.add(new Interrupt(in.varInt("interrupt vcpu"), in.varInt("interrupt vector"),
                    in.string("interrupt source")));
        }
        int nTimers = in.count("timers", 4);
        List<TimerArm> timers = new ArrayList<>(nTimers);
        for (int i = 0; i < nTimers; i++) {
            timers.add(new TimerArm(in.varInt("timer vcpu"), in.string("timer name"), in.var("timer deadline"),
                    in.var("timer period")));
        }
        byte[] console = in.bytes("console");
        VcpuState.Run run = Codes.run(in);
        long deadline = in.var("vcpu deadline");
        int nPorts = in.count("vcpu ports", 1);
        List<Integer> ports = new ArrayList<>(nPorts);
        for (int i = 0; i < nPorts; i++) {
            ports.add(in.varInt("vcpu port"));
        }
        VcpuState vcpu = new VcpuState(run, deadline, ports);
        int shutdown = in.varInt("shutdown");
        int nTrail = in.count("trail", 1);
        List<String> trail = new ArrayList<>(nTrail);
        for (int i = 0; i < nTrail; i++) {
            trail.add(in.string("trail step"));
        }
        return new Observation(returns, fault, writes, events, interrupts, timers, console, vcpu, shutdown, trail);
    }

    private static List<MemChunk> readChunks(BytesIn in, String what) {
        int n = in.count(what, 2);
        List<MemChunk> chunks = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            chunks.add(readChunk(in, what));
        }
        return chunks;
    }

    private static MemChunk readChunk(BytesIn in, String what) {
        return new MemChunk(in.var(what + " gpa"), in.bytes(what + " data"));
    }
}
