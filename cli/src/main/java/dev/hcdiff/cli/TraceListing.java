package dev.hcdiff.cli;

import dev.hcdiff.oracle.hyperv.HvStatus;
import dev.hcdiff.oracle.xen.abi.SchedH;
import dev.hcdiff.oracle.xen.abi.XenCallDescriber;
import dev.hcdiff.oracle.xen.abi.XenErrno;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.abi.XenHypercall;
import dev.hcdiff.trace.record.Abi;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MmioRead;
import dev.hcdiff.trace.record.MmioWrite;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.MsrWrite;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.PortRead;
import dev.hcdiff.trace.record.PortWrite;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;
import dev.hcdiff.trace.record.VcpuState;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.StringJoiner;

/**
 * {@code hcdiff show}'s listing: a trace for a person to follow, one line per record: its
 * sequence number, virtual time, call name, arguments and result with the errno's name. Console
 * bytes (the 0xe9 debug port, console_io) are gathered into the lines the guest printed, each shown
 * once, at the record of its first byte, instead of one record per byte. The stop comes last.
 * The lossless text form is {@code show --hct}.
 */
final class TraceListing {

    /** Writes shown per line before an ellipsis: a hypercall page is one write, a xenstore reply two. */
    static final int MAX_WRITES_SHOWN = 3;
    /** Guest writes this short are shown byte for byte. */
    static final int MAX_BYTES_SHOWN = 16;

    private final PrintWriter out;
    private final ByteArrayOutputStream consoleLine = new ByteArrayOutputStream();
    private long consoleSeq = -1;
    private long consoleTime;

    TraceListing(PrintWriter out) {
        this.out = out;
    }

    /** One summary line of what the trace is a recording of. */
    void header(String name, JournalHeader h) {
        StringBuilder b = new StringBuilder("# ").append(name).append(": guest ").append(orDash(h.get(JournalHeader.GUEST)));
        String pkg = h.get("guest.package");
        if (pkg != null) {
            b.append(" (").append(pkg).append(' ').append(orDash(h.get("guest.version")))
                    .append("true".equals(h.get("guest.pinned")) ? ", pinned" : ", not pinned").append(')');
        }
        if (h.get("boot") != null) {
            b.append(", boot ").append(h.get("boot"));
        }
        String mem = h.get(JournalHeader.MEMORY_BYTES);
        if (mem != null && mem.matches("\\d+")) {
            b.append(", ").append(Long.parseLong(mem) >> 20).append(" MiB");
        }
        b.append(", served by ").append(orDash(h.get(JournalHeader.BACKEND)));
        out.println(b);
    }

    void append(TraceRecord r) {
        switch (r) {
            case Exchange e -> exchange(e);
            case TransportPage t -> line(t.seq(), t.timeNs(), "transport-page 0x" + Long.toHexString(t.gpa())
                    + ": the recorder's exit stubs over the hypercall page (transport, not ABI)");
            case Delivery d -> line(d.seq(), d.timeNs(), "delivery vector 0x" + Integer.toHexString(d.vector())
                    + " to vcpu" + d.vcpu() + " (" + d.source() + ")");
            case GuestStop s -> {
                flushConsole();
                line(s.seq(), s.timeNs(), "stop: " + s.reason().textName() + " (" + s.detail() + ") at rip 0x"
                        + Long.toHexString(s.rip()));
            }
        }
    }

    /** Prints a console line the guest left unfinished. */
    void finish() {
        flushConsole();
        out.flush();
    }

    private void exchange(Exchange e) {
        Observation o = e.observation();
        byte[] console = o.console();
        // A console byte through the debug port is shown only as part of its line.
        boolean consoleOnly = e.request() instanceof PortWrite && console.length > 0 && o.fault() == Fault.NONE;
        if (!consoleOnly) {
            line(e.seq(), e.timeNs(), describe(e));
        }
        for (byte c : console) {
            if (consoleSeq < 0) {
                consoleSeq = e.seq();
                consoleTime = e.timeNs();
            }
            if (c == '\n') {
                flushConsole();
            } else {
                consoleLine.write(c);
            }
        }
    }

    private void flushConsole() {
        if (consoleSeq >= 0) {
            line(consoleSeq, consoleTime, "console| " + consoleLine.toString(StandardCharsets.UTF_8));
            consoleLine.reset();
            consoleSeq = -1;
        }
    }

    private void line(long seq, long timeNs, String text) {
        out.printf("@%-6d %12s  %s%n", seq, time(timeNs), text);
    }

    /** Virtual time in ms with µs precision, e.g. {@code 28.062ms}. */
    static String time(long ns) {
        return String.format("%d.%03dms", ns / 1_000_000, (ns / 1_000) % 1_000);
    }

    static String describe(Exchange e) {
        Observation o = e.observation();
        String name = CallNames.of(e.request());
        String text = switch (e.request()) {
            case Hypercall h -> name + args(h, e.reads()) + " -> " + hypercallResult(h, o);
            case CpuidQuery c -> name + " subleaf=" + c.subleaf() + " -> " + registers(o, "eax", "ebx", "ecx", "edx");
            case MsrWrite w -> name + " <- 0x" + Long.toHexString(w.value()) + faultOr(o, "");
            case MsrRead r -> name + faultOr(o, " -> 0x" + Long.toHexString(o.result()));
            case PortWrite p -> name + " <- 0x" + Long.toHexString(p.value()) + " (" + p.size() + " B)" + faultOr(o, "");
            case PortRead p -> name + " (" + p.size() + " B)" + faultOr(o, " -> 0x" + Long.toHexString(o.result()));
            case MmioWrite m -> name + " <- 0x" + Long.toHexString(m.value()) + " (" + m.size() + " B)" + faultOr(o, "");
            case MmioRead m -> name + " (" + m.size() + " B)" + faultOr(o, " -> 0x" + Long.toHexString(o.result()));
            case GuestWrite g -> name + " " + chunk(g.chunk());
        };
        return text + effects(o);
    }

    /**
     * A hypercall's arguments: decoded by the Xen model's describer where it knows the call (the
     * argument struct the call read, e.g. {@code domid=DOMID_SELF space=shared_info idx=0 gpfn=0xfdfff}),
     * else the registers its prototype takes, in hex.
     */
    private static String args(Hypercall h, List<MemChunk> reads) {
        String decoded = h.abi() == Abi.HV64 ? "" : XenCallDescriber.describe(h, reads);
        if (!decoded.isEmpty()) {
            return " " + decoded;
        }
        int n = h.abi() == Abi.HV64 ? 2 : XenArity.of(h);
        StringJoiner j = new StringJoiner(",", " args=", "");
        for (int i = 0; i < n; i++) {
            j.add(hex(h.arg(i)));
        }
        return j.toString();
    }

    /** Xen: the errno's name for a negative result; Hyper-V: the status name and reps completed. */
    private static String hypercallResult(Hypercall h, Observation o) {
        if (o.fault() != Fault.NONE) {
            return "#" + o.fault().name();
        }
        if (o.returns().length == 0) {
            return "(does not return)";
        }
        long rax = o.result();
        if (h.abi() == Abi.HV64) {
            int reps = (int) (rax >>> 32) & 0xfff;
            return HvStatus.name((int) (rax & 0xffff)) + (reps != 0 ? " reps=" + reps : "");
        }
        // A 32-bit guest sees eax: -22 arrives as 0xffffffea.
        long rc = h.abi() == Abi.XEN32 ? (int) rax : rax;
        if (rc < 0) {
            String n = XenErrno.name(rc);
            return n.equals(Long.toString(rc)) ? Long.toString(rc) : n + " (" + rc + ")";
        }
        return rc < 10 ? Long.toString(rc) : "0x" + Long.toHexString(rc);
    }

    private static String registers(Observation o, String... names) {
        long[] r = o.returns();
        StringJoiner j = new StringJoiner(" ");
        for (int i = 0; i < r.length && i < names.length; i++) {
            j.add(names[i] + "=" + hex(r[i]));
        }
        return j.toString();
    }

    private static String faultOr(Observation o, String normal) {
        return o.fault() == Fault.NONE ? normal : " -> #" + o.fault().name();
    }

    /** What else the guest observed: bytes written, events, upcalls, timers, blocking, shutdown. */
    private static String effects(Observation o) {
        StringBuilder b = new StringBuilder();
        List<MemChunk> w = o.writes();
        if (!w.isEmpty()) {
            StringJoiner j = new StringJoiner(", ", "; wrote ", "");
            for (int i = 0; i < Math.min(w.size(), MAX_WRITES_SHOWN); i++) {
                j.add(w.get(i).length() + " B at 0x" + Long.toHexString(w.get(i).gpa()));
            }
            if (w.size() > MAX_WRITES_SHOWN) {
                j.add("… (" + w.size() + " writes)");
            }
            b.append(j);
        }
        if (!o.eventsPending().isEmpty()) {
            b.append("; pending ports ").append(o.eventsPending());
        }
        o.interrupts().forEach(i -> b.append("; ").append(i.source()).append(" to vcpu").append(i.vcpu())
                .append(i.vector() >= 0 ? " vector 0x" + Integer.toHexString(i.vector()) : ""));
        o.timers().forEach(t -> b.append("; timer ").append(t.timer())
                .append(t.deadlineNs() < 0 ? " cancelled" : " at " + time(t.deadlineNs())));
        VcpuState v = o.vcpu();
        if (v.run() == VcpuState.Run.BLOCKED) {
            b.append("; blocks").append(v.ports().isEmpty() ? "" : " on ports " + v.ports())
                    .append(v.deadlineNs() >= 0 ? " until " + time(v.deadlineNs()) : "");
        } else if (v.run() == VcpuState.Run.DOWN) {
            b.append("; vcpu down");
        }
        if (o.shutdown() != Observation.NO_SHUTDOWN) {
            b.append("; shutdown ").append(SchedH.shutdownName(o.shutdown()));
        }
        return b.toString();
    }

    private static String chunk(MemChunk c) {
        String at = "0x" + Long.toHexString(c.gpa());
        return c.length() <= MAX_BYTES_SHOWN
                ? at + " = " + HexFormat.of().formatHex(c.data())
                : at + " (" + c.length() + " B)";
    }

    private static String hex(long v) {
        return v == 0 ? "0" : "0x" + Long.toHexString(v);
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }

    /**
     * How many argument registers each Xen hypercall takes: the parameters of its {@code do_*}
     * prototype in {@code xen/include/hypercall-defs.c} (Xen 4.17); the 32-bit {@code set_timer_op}
     * takes its 64-bit timeout in two registers (xen-abi.md §5.5). Calls not listed show all six.
     */
    static final class XenArity {

        private XenArity() {
        }

        static int of(Hypercall h) {
            return XenHypercall.byNumber(h.call()).map(c -> switch (c) {
                case SET_TIMER_OP -> h.abi() == Abi.XEN32 ? 2 : 1;
                case PLATFORM_OP, SYSCTL, DOMCTL, XSM_OP -> 1;
                case MEMORY_OP, MULTICALL, XEN_VERSION, SCHED_OP, EVENT_CHANNEL_OP, PHYSDEV_OP, HVM_OP,
                     VM_ASSIST, NMI_OP, CALLBACK_OP, KEXEC_OP, XENPMU_OP -> 2;
                case CONSOLE_IO, GRANT_TABLE_OP, VCPU_OP, DM_OP -> 3;
                case MMU_UPDATE, MMUEXT_OP -> 4;
                case ARGO_OP, HYPFS_OP -> 5;
                default -> Hypercall.ARG_COUNT;
            }).orElse(Hypercall.ARG_COUNT);
        }
    }
}
