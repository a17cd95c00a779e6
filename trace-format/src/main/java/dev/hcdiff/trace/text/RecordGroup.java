package dev.hcdiff.trace.text;

import dev.hcdiff.trace.abi.HvCallCode;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.abi.XenSubOps;
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

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * One record's line group while it is being read: the record line, then its indented detail
 * lines, then {@link #build()}. Follows the grammar in {@link HctReader}; every error names the
 * line it is on.
 */
final class RecordGroup {

    private enum Kind { EXCHANGE, TRANSPORT_PAGE, DELIVERY, STOP }

    private static final List<String> DETAILS = List.of("read", "write", "data", "page", "+", "returns", "fault",
            "event", "interrupt", "timer", "console", "vcpu", "shutdown", "trail");

    private final HctLine head;
    private final long seq;
    private final long timeNs;
    private long durationNs;
    private Kind kind;
    private TraceRecord ready;       // delivery and stop: complete after the record line
    private GuestRequest request;    // exchange, except guest-write
    private int guestWriteVcpu = -1;
    private boolean guestWrite;

    private final List<MemChunk> reads = new ArrayList<>();
    private final List<MemChunk> writes = new ArrayList<>();
    private long[] returns;
    private Fault fault;
    private final List<Integer> events = new ArrayList<>();
    private final List<Interrupt> interrupts = new ArrayList<>();
    private final List<TimerArm> timers = new ArrayList<>();
    private final ByteArrayOutputStream console = new ByteArrayOutputStream();
    private VcpuState vcpuState;
    private Integer shutdown;
    private final List<String> trail = new ArrayList<>();
    private MemChunk data;
    private MemChunk page;

    private Block block;

    /** A memory block being read: its first line and any {@code +} continuations. */
    private static final class Block {
        final String keyword;
        final long gpa;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        long next;

        Block(String keyword, long gpa, byte[] first) {
            this.keyword = keyword;
            this.gpa = gpa;
            this.bytes.writeBytes(first);
            this.next = gpa + first.length;
        }
    }

    private RecordGroup(HctLine head, long seq, long timeNs) {
        this.head = head;
        this.seq = seq;
        this.timeNs = timeNs;
    }

    int line() {
        return head.number();
    }

    /** Reads a record line ({@code @SEQ t=…}); {@code expectedSeq} is the seq it must carry. */
    static RecordGroup start(HctLine line, long expectedSeq) {
        String at = line.token("record line");
        long seq = line.number(at.substring(1), "the record seq after '@'");
        if (seq != expectedSeq) {
            throw line.error("record @" + seq + " is out of order: expected @" + expectedSeq);
        }
        RecordGroup g = new RecordGroup(line, seq, line.longField("t"));
        boolean hasDuration = line.hasKey("d");
        if (hasDuration) {
            g.durationNs = line.longField("d");
        }
        if (line.hasKey("vcpu")) {
            g.kind = Kind.EXCHANGE;
            g.request(line, line.intField("vcpu"));
            return g;
        }
        String kind = line.token("record kind: vcpu=<n> for an exchange, transport-page, delivery or stop");
        if (hasDuration) {
            throw line.error("d= belongs to exchanges only, not to " + kind);
        }
        switch (kind) {
            case "transport-page" -> {
                g.kind = Kind.TRANSPORT_PAGE;
                line.end();
            }
            case "delivery" -> {
                g.kind = Kind.DELIVERY;
                int vcpu = line.intField("vcpu");
                int vector = line.intField("vector");
                String source = line.word("delivery source (e.g. upcall)");
                line.end();
                g.ready = new Delivery(seq, g.timeNs, vcpu, vector, source);
            }
            case "stop" -> {
                g.kind = Kind.STOP;
                GuestStop.StopReason reason = stopReason(line, line.token("stop reason"));
                int vcpu = line.intField("vcpu");
                long rip = line.longField("rip");
                g.ready = new GuestStop(seq, g.timeNs, reason, vcpu, rip, line.text("stop detail"));
            }
            default -> throw line.error("unknown record kind '" + kind
                    + "' (expected vcpu=<n> for an exchange, transport-page, delivery or stop)");
        }
        return g;
    }

    private static GuestStop.StopReason stopReason(HctLine line, String name) {
        for (GuestStop.StopReason r : GuestStop.StopReason.values()) {
            if (r.textName().equals(name)) {
                return r;
            }
        }
        throw line.error("unknown stop reason '" + name + "' (expected one of "
                + Arrays.stream(GuestStop.StopReason.values()).map(GuestStop.StopReason::textName).toList() + ")");
    }

    // ------------------------------------------------------------------ requests

    private static CpuMode cpuMode(HctLine line) {
        String m = line.wordField("mode");
        try {
            return CpuMode.fromTextName(m);
        } catch (IllegalArgumentException e) {
            throw line.error(e.getMessage());
        }
    }

    private void request(HctLine line, int vcpu) {
        String kind = line.token("request: xen64, xen32, hv64, cpuid, msr-read, msr-write, port-in, port-out, mmio-read, mmio-write or guest-write");
        request = switch (kind) {
            case "xen64" -> xenHypercall(line, vcpu, Abi.XEN64);
            case "xen32" -> xenHypercall(line, vcpu, Abi.XEN32);
            case "hv64" -> hvHypercall(line, vcpu);
            case "cpuid" -> new CpuidQuery(vcpu, line.intField("leaf"), line.hasKey("subleaf") ? line.intField("subleaf") : 0);
            case "msr-read" -> new MsrRead(vcpu, line.intField("index"));
            case "msr-write" -> new MsrWrite(vcpu, line.intField("index"), line.longField("value"),
                    line.hasKey("mode") ? cpuMode(line) : CpuMode.LONG64);
            case "port-in" -> new PortRead(vcpu, line.intField("port"), line.intField("size"));
            case "port-out" -> new PortWrite(vcpu, line.intField("port"), line.intField("size"), line.longField("value"));
            case "mmio-read" -> new MmioRead(vcpu, line.longField("gpa"), line.intField("size"));
            case "mmio-write" -> new MmioWrite(vcpu, line.longField("gpa"), line.intField("size"), line.longField("value"));
            case "guest-write" -> {
                guestWrite = true;
                guestWriteVcpu = vcpu;
                yield null;
            }
            default -> throw line.error("unknown request '" + kind
                    + "' (expected xen64, xen32, hv64, cpuid, msr-read, msr-write, port-in, port-out, mmio-read, mmio-write or guest-write)");
        };
        line.end();
    }

    /** {@code NAME[/SUBOP] [args=…]}: names or numbers, see {@link HctReader}. */
    private static Hypercall xenHypercall(HctLine line, int vcpu, Abi abi) {
        String callToken = line.token("Xen hypercall name or number");
        int slash = callToken.indexOf('/');
        String callPart = slash < 0 ? callToken : callToken.substring(0, slash);
        String subPart = slash < 0 ? null : callToken.substring(slash + 1);
        long number;
        if (callPart.equals("hypercall") && subPart != null) {
            number = line.number(subPart, "hypercall number"); // CallNames spells unknown calls hypercall/N
            subPart = null;
        } else if (startsLikeNumber(callPart)) {
            number = line.number(callPart, "hypercall number");
        } else {
            number = XenHypercall.byName(callPart).orElseThrow(() -> line.error("unknown Xen hypercall '" + callPart
                    + "' (use a name from xen/include/public/xen.h without __HYPERVISOR_, or the number)")).number();
        }
        XenHypercall known = XenHypercall.byNumber(number).orElse(null);
        Integer sub = null;
        if (subPart != null) {
            if (known == null || !XenSubOps.hasSubOps(known)) {
                throw line.error("hypercall " + callPart + " has no sub-ops; drop '/" + subPart + "'");
            }
            if (startsLikeNumber(subPart)) {
                sub = line.int32(subPart, "sub-op number");
            } else {
                String name = subPart;
                sub = XenSubOps.number(known, name).orElseThrow(() -> line.error("unknown sub-op '" + name
                        + "' of " + known.xenName()));
            }
        }
        long[] args = new long[Hypercall.ARG_COUNT];
        if (line.hasKey("args")) {
            long[] given = line.longListField("args");
            if (given.length > Hypercall.ARG_COUNT) {
                throw line.error("args= has " + given.length + " values; a hypercall has " + Hypercall.ARG_COUNT);
            }
            System.arraycopy(given, 0, args, 0, given.length);
            if (sub != null && XenSubOps.subOpOf(known, args[0]) != sub) {
                throw line.error("sub-op " + subPart + " (" + sub + ") does not match args[0]=" + HctSyntax.hex(args[0])
                        + ", which selects sub-op " + XenSubOps.subOpOf(known, args[0]));
            }
        } else if (sub != null) {
            args[0] = sub; // the command argument is the sub-op
        }
        return new Hypercall(vcpu, abi, number, args);
    }

    /** {@code NAME-or-CODE [control=…] [args=…]}: the input value is control | code. */
    private static Hypercall hvHypercall(HctLine line, int vcpu) {
        String name = line.token("Hyper-V call name or code");
        long code;
        if (startsLikeNumber(name)) {
            code = line.number(name, "call code");
            if (code < 0 || code > 0xFFFF) {
                throw line.error("call code " + name + " does not fit in bits 15:0 of the input value");
            }
        } else {
            code = HvCallCode.byName(name).orElseThrow(() -> line.error("unknown Hyper-V call '" + name
                    + "' (use a TLFS name such as HvCallSignalEvent, or the code)")).code();
        }
        long control = 0;
        if (line.hasKey("control")) {
            control = line.longField("control");
            if ((control & 0xFFFF) != 0) {
                throw line.error("control=" + HctSyntax.hex(control) + " sets bits 15:0, which hold the call code");
            }
        }
        long[] args = new long[Hypercall.ARG_COUNT];
        if (line.hasKey("args")) {
            long[] given = line.longListField("args");
            if (given.length > Hypercall.ARG_COUNT) {
                throw line.error("args= has " + given.length + " values; a hypercall has " + Hypercall.ARG_COUNT);
            }
            System.arraycopy(given, 0, args, 0, given.length);
        }
        return new Hypercall(vcpu, Abi.HV64, control | code, args);
    }

    private static boolean startsLikeNumber(String s) {
        return !s.isEmpty() && ((s.charAt(0) >= '0' && s.charAt(0) <= '9') || s.charAt(0) == '-');
    }

    // ------------------------------------------------------------------ details

    /** Reads one indented detail line. */
    void detail(HctLine line) {
        String keyword = line.token("detail");
        if (!keyword.equals("+")) {
            closeBlock();
        }
        switch (keyword) {
            case "read" -> openBlock(line, keyword, Kind.EXCHANGE);
            case "write" -> openBlock(line, keyword, Kind.EXCHANGE);
            case "data" -> {
                if (!guestWrite) {
                    throw line.error("'data' lines belong to guest-write exchanges only");
                }
                once(line, data, keyword);
                openBlock(line, keyword, Kind.EXCHANGE);
            }
            case "page" -> {
                once(line, page, keyword);
                openBlock(line, keyword, Kind.TRANSPORT_PAGE);
            }
            case "+" -> continueBlock(line);
            case "returns" -> {
                only(line, keyword, Kind.EXCHANGE);
                once(line, returns, keyword);
                returns = line.longList(line.token("returned values"), "returns");
                line.end();
            }
            case "fault" -> {
                only(line, keyword, Kind.EXCHANGE);
                once(line, fault, keyword);
                String f = line.token("fault (gp or ud)");
                fault = switch (f) {
                    case "gp" -> Fault.GP;
                    case "ud" -> Fault.UD;
                    case "none" -> Fault.NONE;
                    default -> throw line.error("unknown fault '" + f + "' (expected gp, ud or none)");
                };
                line.end();
            }
            case "event" -> {
                only(line, keyword, Kind.EXCHANGE);
                events.add(line.int32(line.token("event port"), "event port"));
                line.end();
            }
            case "interrupt" -> {
                only(line, keyword, Kind.EXCHANGE);
                int vcpu = line.intField("vcpu");
                int vector = line.intField("vector");
                interrupts.add(new Interrupt(vcpu, vector, line.word("interrupt source (e.g. upcall)")));
                line.end();
            }
            case "timer" -> {
                only(line, keyword, Kind.EXCHANGE);
                int vcpu = line.intField("vcpu");
                String name = line.word("timer name (e.g. singleshot)");
                long deadline = line.longField("deadline");
                long period = line.longField("period");
                timers.add(new TimerArm(vcpu, name, deadline, period));
                line.end();
            }
            case "console" -> {
                only(line, keyword, Kind.EXCHANGE);
                console.writeBytes(line.consoleBytes());
            }
            case "vcpu" -> {
                only(line, keyword, Kind.EXCHANGE);
                once(line, vcpuState, keyword);
                String run = line.token("vcpu state (running, blocked or down)");
                VcpuState.Run r = switch (run) {
                    case "running" -> VcpuState.Run.RUNNING;
                    case "blocked" -> VcpuState.Run.BLOCKED;
                    case "down" -> VcpuState.Run.DOWN;
                    default -> throw line.error("unknown vcpu state '" + run + "' (expected running, blocked or down)");
                };
                long deadline = line.hasKey("deadline") ? line.longField("deadline") : -1;
                List<Integer> ports = new ArrayList<>();
                if (line.hasKey("ports")) {
                    for (int p : line.intListField("ports")) {
                        ports.add(p);
                    }
                }
                line.end();
                vcpuState = new VcpuState(r, deadline, ports);
            }
            case "shutdown" -> {
                only(line, keyword, Kind.EXCHANGE);
                once(line, shutdown, keyword);
                String s = line.token("shutdown reason");
                int code = Arrays.asList(HctSyntax.SHUTDOWN_NAMES).indexOf(s);
                shutdown = code >= 0 ? code : line.int32(s, "shutdown reason (a SHUTDOWN_* name or number)");
                line.end();
            }
            case "trail" -> {
                only(line, keyword, Kind.EXCHANGE);
                trail.add(line.text("trail step"));
            }
            default -> throw line.error("unknown detail '" + keyword + "' (expected one of " + DETAILS + ")");
        }
    }

    private void only(HctLine line, String keyword, Kind allowed) {
        if (kind != allowed) {
            throw line.error("'" + keyword + "' lines belong to " + describe(allowed) + ", not to " + describe(kind));
        }
    }

    private static String describe(Kind k) {
        return switch (k) {
            case EXCHANGE -> "exchanges";
            case TRANSPORT_PAGE -> "a transport-page";
            case DELIVERY -> "a delivery";
            case STOP -> "a stop";
        };
    }

    private static void once(HctLine line, Object previous, String keyword) {
        if (previous != null) {
            throw line.error("a second '" + keyword + "' line in one record");
        }
    }

    private void openBlock(HctLine line, String keyword, Kind allowed) {
        only(line, keyword, allowed);
        long gpa = line.number(line.token(keyword + " address"), keyword + " address");
        if (keyword.equals("data") || keyword.equals("page")) {
            // mark the single block as taken at once, so a second one is refused
            MemChunk placeholder = new MemChunk(gpa, new byte[0]);
            if (keyword.equals("data")) {
                data = placeholder;
            } else {
                page = placeholder;
            }
        }
        block = new Block(keyword, gpa, line.hexBytes(keyword));
    }

    private void continueBlock(HctLine line) {
        if (block == null) {
            throw line.error("'+' continues a read, write, data or page block, but none is open above it");
        }
        long gpa = line.number(line.token("continuation address"), "continuation address");
        if (gpa != block.next) {
            throw line.error("continuation at " + HctSyntax.hex(gpa) + ", but the " + block.keyword
                    + " block above ends at " + HctSyntax.hex(block.next));
        }
        byte[] more = line.hexBytes("continuation");
        if (more.length == 0) {
            throw line.error("a '+' continuation needs bytes");
        }
        block.bytes.writeBytes(more);
        block.next += more.length;
    }

    private void closeBlock() {
        if (block == null) {
            return;
        }
        MemChunk chunk = new MemChunk(block.gpa, block.bytes.toByteArray());
        switch (block.keyword) {
            case "read" -> reads.add(chunk);
            case "write" -> writes.add(chunk);
            case "data" -> data = chunk;
            case "page" -> page = chunk;
            default -> throw new IllegalStateException(block.keyword);
        }
        block = null;
    }

    /** The record, once every detail line is in. */
    TraceRecord build() {
        closeBlock();
        return switch (kind) {
            case DELIVERY, STOP -> ready;
            case TRANSPORT_PAGE -> {
                if (page == null) {
                    throw head.error("transport-page @" + seq + " needs a 'page <gpa> <hex>' line");
                }
                yield new TransportPage(seq, timeNs, page.gpa(), page.data());
            }
            case EXCHANGE -> {
                GuestRequest r = request;
                if (guestWrite) {
                    if (data == null) {
                        throw head.error("guest-write @" + seq + " needs a 'data <gpa> <hex>' line");
                    }
                    r = new GuestWrite(guestWriteVcpu, data);
                }
                Observation o = new Observation(returns == null ? new long[0] : returns,
                        fault == null ? Fault.NONE : fault, writes, events, interrupts, timers, console.toByteArray(),
                        vcpuState == null ? VcpuState.RUNNING : vcpuState,
                        shutdown == null ? Observation.NO_SHUTDOWN : shutdown, trail);
                yield new Exchange(seq, timeNs, durationNs, r, reads, o);
            }
        };
    }

    @Override
    public String toString() {
        return "record @" + seq + " (" + kind.name().toLowerCase(Locale.ROOT) + ")";
    }
}
