package dev.hcdiff.trace.text;

import dev.hcdiff.trace.abi.HvCallCode;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.abi.XenSubOps;
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
import dev.hcdiff.trace.record.TraceSink;
import dev.hcdiff.trace.record.TransportPage;
import dev.hcdiff.trace.record.VcpuState;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.List;
import java.util.Locale;

/**
 * Writes the {@code .hct} text form (grammar: {@link HctReader}): the version line first, always,
 * then the header, then one line group per record, with names for calls and sub-ops where the
 * ABI tables know them and numbers where they do not. What it writes reads back into equal
 * records.
 *
 * <p>Single writer, not thread-safe. {@link #append} throws {@link UncheckedIOException} when the
 * output fails, {@link IllegalArgumentException} when the seq is out of order.
 */
public final class HctWriter implements TraceSink {

    private static final String LEGEND = "# hcdiff trace text form; grammar: javadoc of dev.hcdiff.trace.text.HctReader, docs/hct.md";

    private final Writer out;
    private long nextSeq;
    private boolean closed;

    /** Writes the version line and the header to {@code out} at once. */
    public HctWriter(Writer out, JournalHeader header) {
        this.out = out;
        writeHeader(header);
    }

    /**
     * Creates {@code file} (UTF-8) and writes the version line and header.
     *
     * @throws FileAlreadyExistsException when it exists and {@code force} is false
     */
    public static HctWriter create(Path file, JournalHeader header, boolean force) throws IOException {
        checkTarget(file, force);
        Path parent = file.toAbsolutePath().getParent();
        if (parent != null) {
            Files.createDirectories(parent);
        }
        Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8, StandardOpenOption.CREATE,
                StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
        try {
            return new HctWriter(w, header);
        } catch (UncheckedIOException e) {
            w.close();
            throw e.getCause();
        }
    }

    /**
     * Checks, changing nothing, that {@link #create} may write {@code file}.
     *
     * @throws FileAlreadyExistsException when it exists and {@code force} is false
     * @throws IOException                when it is a directory
     */
    public static void checkTarget(Path file, boolean force) throws IOException {
        if (Files.isDirectory(file)) {
            throw new IOException(file + " is a directory, not a .hct file");
        }
        if (!force && Files.exists(file)) {
            throw new FileAlreadyExistsException(file.toString(), null, "exists; use force to overwrite");
        }
    }

    /** The whole text of a trace. */
    public static String toText(JournalHeader header, Iterable<? extends TraceRecord> records) {
        StringWriter sw = new StringWriter();
        try (HctWriter w = new HctWriter(sw, header)) {
            for (TraceRecord r : records) {
                w.append(r);
            }
        }
        return sw.toString();
    }

    private void writeHeader(JournalHeader header) {
        emit(HctSyntax.VERSION_LINE);
        emit(LEGEND);
        String expect = null;
        for (var e : header.fields().entrySet()) {
            if (e.getKey().equals(JournalHeader.EXPECT) && HctSyntax.EXPECT.matcher(e.getValue()).matches()) {
                expect = e.getValue();
            } else {
                emit("header " + e.getKey() + "=" + e.getValue());
            }
        }
        if (expect != null) {
            emit("expect " + expect);
        }
        emit("");
    }

    /**
     * Writes one record.
     *
     * @throws IllegalArgumentException when {@code record.seq()} is not the previous one plus one
     */
    @Override
    public void append(TraceRecord record) {
        if (closed) {
            throw new IllegalStateException("hct writer is closed");
        }
        if (record.seq() != nextSeq) {
            throw new IllegalArgumentException("record seq " + record.seq() + " written where seq " + nextSeq + " is due");
        }
        switch (record) {
            case Exchange x -> exchange(x);
            case TransportPage p -> {
                emit("@" + p.seq() + " t=" + p.timeNs() + " transport-page");
                block("page", p.gpa(), p.bytes());
            }
            case Delivery d -> emit("@" + d.seq() + " t=" + d.timeNs() + " delivery vcpu=" + d.vcpu()
                    + " vector=" + HctSyntax.vector(d.vector()) + " " + HctSyntax.word(d.source()));
            case GuestStop s -> emit("@" + s.seq() + " t=" + s.timeNs() + " stop " + s.reason().textName()
                    + " vcpu=" + s.vcpu() + " rip=" + HctSyntax.hex(s.rip())
                    + (s.detail().isEmpty() ? "" : " " + HctSyntax.text(s.detail())));
        }
        nextSeq++;
    }

    private void exchange(Exchange x) {
        emit("@" + x.seq() + " t=" + x.timeNs() + " d=" + x.durationNs() + " vcpu=" + x.request().vcpu()
                + " " + request(x.request()));
        if (x.request() instanceof GuestWrite g) {
            block("data", g.chunk().gpa(), g.chunk().data());
        }
        for (MemChunk c : x.reads()) {
            block("read", c.gpa(), c.data());
        }
        observation(x.observation());
    }

    /** The request part of an exchange line, after {@code vcpu=}. */
    static String request(GuestRequest request) {
        return switch (request) {
            case Hypercall h -> switch (h.abi()) {
                case XEN64, XEN32 -> h.abi().textName() + " " + xenCall(h.call(), h.arg(0)) + " args=" + args(h);
                case HV64 -> {
                    int code = (int) (h.call() & 0xFFFF);
                    long control = h.call() & ~0xFFFFL;
                    yield "hv64 " + HvCallCode.byCode(code).map(HvCallCode::tlfsName).orElse(HctSyntax.hex(code))
                            + (control != 0 ? " control=" + HctSyntax.hex(control) : "") + " args=" + args(h);
                }
            };
            case CpuidQuery c -> "cpuid leaf=" + HctSyntax.hex32(c.leaf()) + " subleaf=" + HctSyntax.hex32(c.subleaf());
            case MsrRead r -> "msr-read index=" + HctSyntax.hex32(r.index());
            case MsrWrite w -> "msr-write index=" + HctSyntax.hex32(w.index()) + " value=" + HctSyntax.hex(w.value())
                    + " mode=" + w.mode().textName();
            case MmioRead m -> "mmio-read gpa=" + HctSyntax.hex(m.gpa()) + " size=" + m.size();
            case MmioWrite m -> "mmio-write gpa=" + HctSyntax.hex(m.gpa()) + " size=" + m.size() + " value=" + HctSyntax.hex(m.value());
            case PortRead p -> "port-in port=" + HctSyntax.hex32(p.port()) + " size=" + p.size();
            case PortWrite p -> "port-out port=" + HctSyntax.hex32(p.port()) + " size=" + p.size()
                    + " value=" + HctSyntax.hex(p.value());
            case GuestWrite g -> "guest-write";
        };
    }

    /** {@code event_channel_op/EVTCHNOP_send}, {@code event_channel_op/99}, {@code set_timer_op}, {@code 99}. */
    static String xenCall(long number, long firstArg) {
        return XenHypercall.byNumber(number).map(call -> {
            if (!XenSubOps.hasSubOps(call)) {
                return call.xenName();
            }
            int sub = XenSubOps.subOpOf(call, firstArg);
            return call.xenName() + "/" + XenSubOps.name(call, sub).orElse(Integer.toString(sub));
        }).orElse(HctSyntax.number(number));
    }

    private static String args(Hypercall h) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < Hypercall.ARG_COUNT; i++) {
            sb.append(i == 0 ? "" : ",").append(HctSyntax.hex(h.arg(i)));
        }
        return sb.toString();
    }

    private void observation(Observation o) {
        long[] returns = o.returns();
        if (returns.length > 0) {
            StringBuilder sb = new StringBuilder("  returns ");
            for (int i = 0; i < returns.length; i++) {
                sb.append(i == 0 ? "" : ",").append(HctSyntax.returned(returns[i]));
            }
            emit(sb.toString());
        }
        if (o.fault() != Fault.NONE) {
            emit("  fault " + o.fault().name().toLowerCase(Locale.ROOT));
        }
        for (MemChunk c : o.writes()) {
            block("write", c.gpa(), c.data());
        }
        for (int port : o.eventsPending()) {
            emit("  event " + port);
        }
        for (Interrupt i : o.interrupts()) {
            emit("  interrupt vcpu=" + i.vcpu() + " vector=" + HctSyntax.vector(i.vector()) + " "
                    + HctSyntax.word(i.source()));
        }
        for (TimerArm t : o.timers()) {
            emit("  timer vcpu=" + t.vcpu() + " " + HctSyntax.word(t.timer()) + " deadline=" + t.deadlineNs()
                    + " period=" + t.periodNs());
        }
        console(o.console());
        VcpuState v = o.vcpu();
        if (!v.equals(VcpuState.RUNNING)) {
            StringBuilder sb = new StringBuilder("  vcpu ").append(v.run().name().toLowerCase(Locale.ROOT));
            if (v.deadlineNs() != -1) {
                sb.append(" deadline=").append(v.deadlineNs());
            }
            if (!v.ports().isEmpty()) {
                sb.append(" ports=").append(join(v.ports()));
            }
            emit(sb.toString());
        }
        if (o.shutdown() != Observation.NO_SHUTDOWN) {
            emit("  shutdown " + HctSyntax.shutdown(o.shutdown()));
        }
        for (String step : o.trail()) {
            emit("  trail " + HctSyntax.text(step));
        }
    }

    /** Console bytes, one line per output line of the guest (and at most 64 bytes a line). */
    private void console(byte[] bytes) {
        int from = 0;
        while (from < bytes.length) {
            int to = from;
            while (to < bytes.length && to - from < HctSyntax.CONSOLE_BYTES_PER_LINE) {
                if (bytes[to++] == '\n') {
                    break;
                }
            }
            emit("  console " + HctSyntax.consoleLiteral(bytes, from, to));
            from = to;
        }
    }

    /** A memory block: {@code KEYWORD GPA HEX}, then {@code + GPA HEX} every 32 bytes. */
    private void block(String keyword, long gpa, byte[] data) {
        int n = Math.min(data.length, HctSyntax.HEX_BYTES_PER_LINE);
        emit("  " + keyword + " " + HctSyntax.hex(gpa) + " " + HctSyntax.hexBytes(data, 0, n));
        for (int off = n; off < data.length; off += HctSyntax.HEX_BYTES_PER_LINE) {
            int end = Math.min(data.length, off + HctSyntax.HEX_BYTES_PER_LINE);
            emit("  + " + HctSyntax.hex(gpa + off) + " " + HctSyntax.hexBytes(data, off, end));
        }
    }

    private static String join(List<Integer> values) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < values.size(); i++) {
            sb.append(i == 0 ? "" : ",").append(values.get(i));
        }
        return sb.toString();
    }

    private void emit(String text) {
        try {
            out.write(text);
            out.write('\n');
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the .hct text: " + e.getMessage(), e);
        }
    }

    /** Flushes and closes the output. Idempotent. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            out.close();
        } catch (IOException e) {
            throw new UncheckedIOException("cannot close the .hct text: " + e.getMessage(), e);
        }
    }
}
