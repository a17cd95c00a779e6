package dev.hcdiff.replayer.diff;

import dev.hcdiff.replayer.report.ObservationText;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;

import java.io.PrintStream;
import java.util.Map;
import java.util.function.Function;

/**
 * The console report of a diff: what was compared, the first divergence in full (both records as
 * {@code show} prints them, both observations, the differing fields and bytes), the path change if
 * any, then every divergence grouped by root cause (one line each with a count and first/last
 * sequence numbers), the per-call summary, the stops and the verdict.
 */
public final class DiffReport {

    /** Byte differences shown for one finding. */
    static final int MAX_BYTE_DIFFS = 4;

    private DiffReport() {
    }

    /**
     * @param describe how a record reads, as {@code hcdiff show} lists it (the CLI passes its
     *                 listing); {@link #plain} without one
     */
    public static void print(DiffOutcome o, PrintStream out, Function<Exchange, String> describe) {
        DiffSide a = o.a();
        DiffSide b = o.b();
        out.printf("diff of A %s (guest %s, served by %s) and B %s (guest %s, served by %s)%n",
                a.name(), a.guest(), a.backend(), b.name(), b.guest(), b.backend());
        if (!a.guest().equals(b.guest()) || !java.util.Objects.equals(a.header().get(JournalHeader.GUEST_SHA256),
                b.header().get(JournalHeader.GUEST_SHA256))) {
            out.printf("note: A and B record different guest images (%s sha256 %s, %s sha256 %s): expect another path%n",
                    a.guest(), orNone(a.header().get(JournalHeader.GUEST_SHA256)),
                    b.guest(), orNone(b.header().get(JournalHeader.GUEST_SHA256)));
        }
        if (a.xenBase() != null && b.xenBase() != null && !a.xenBase().equals(b.xenBase())) {
            out.printf("Xen discovery: A's guest found Xen at cpuid 0x%x, B's at 0x%x: B's requests are compared as made to A's Xen%n",
                    a.xenBase(), b.xenBase());
        }
        out.printf("A: %d records, %d exchanges; B: %d records, %d exchanges; %d steps compared, %d agree; known divergences %s%n",
                a.records(), a.exchanges(), b.records(), b.exchanges(), o.steps(), o.agree(),
                o.reference() == null ? (a.backend().equals(b.backend()) ? "none apply (both served by " + a.backend() + ")"
                        : "not looked up (" + a.backend() + " and " + b.backend() + " are no replay pair)")
                        : "read with " + o.reference() + " (" + (o.reference().equals("A") ? a : b).backend() + ") as reference");
        out.println();
        Finding first = o.first();
        if (first != null) {
            printFirst(first, out, describe);
        }
        if (o.consoleA() != null || o.consoleB() != null) {
            out.printf("the guests printed different lines:%n  A| %s%n  B| %s%n%n", orNone(o.consoleA()), orNone(o.consoleB()));
        }
        if (o.pathChange() != null) {
            PathChange p = o.pathChange();
            out.println(p.text());
            out.printf("  A: %s%n", p.a() == null ? "(trace ended)" : line(p.a(), describe));
            out.printf("  B: %s%n", p.b() == null ? "(trace ended)" : line(p.b(), describe));
            if (p.after() != null) {
                Finding f = p.after();
                out.printf("  after the divergence at A @%s, B @%s: %s (%s)%s%n", seq(f.seqA()), seq(f.seqB()), f.call(),
                        DiffGroup.fieldNames(f), f.isNew() ? "" : ", known: " + f.knownLabel());
            }
            out.println("  the rest of both runs is summarised by call below, not compared step by step");
            out.println();
        }
        if (!o.groups().isEmpty()) {
            out.println("divergences, grouped (one line per root cause):");
            for (DiffGroup g : o.groups()) {
                String label = g.knownId() != null ? "known " + g.knownId() : "NEW   " + g.call();
                String calls = g.knownId() != null ? "  " + calls(g) : "";
                out.printf("  %-44s %-11s %-14s ×%-5d %s%s%n", label, g.kind().reportName(), g.fields(), g.count(),
                        range(g), calls);
            }
            out.println();
        }
        printCalls(o, out);
        out.printf("stop: A %s; B %s%n", stop(o.stopA()), stop(o.stopB()));
        printVerdict(o, out);
    }

    /** A record as the diff names it without the CLI's listing: its call and result. */
    public static String plain(Exchange e) {
        return CallNames.of(e.request()) + " -> " + ObservationText.brief(e.observation(), java.util.Set.of());
    }

    private static void printFirst(Finding f, PrintStream out, Function<Exchange, String> describe) {
        out.printf("first %sdivergence: A @%s, B @%s: %s (%s)%s%n", f.isNew() ? "new " : "", seq(f.seqA()), seq(f.seqB()),
                f.call(), f.kind().reportName(),
                f.isNew() ? "" : ", known: " + f.knownAll().stream().map(k -> k.id() + " (" + k.rationale() + ")")
                        .collect(java.util.stream.Collectors.joining("; ")));
        out.printf("  A @%-6s %s%n", seq(f.seqA()), f.a() == null ? "(no such record)" : line(f.a(), describe));
        out.printf("  B @%-6s %s%n", seq(f.seqB()), f.b() == null ? "(no such record)" : line(f.b(), describe));
        if (!f.fields().isEmpty()) {
            out.printf("  differs: %s%n", DiffGroup.fieldNames(f));
        }
        // Both results, and every field that differs (the result alone when only the request did).
        if (f.a() instanceof Exchange ea) {
            out.printf("  A: %s%n", ObservationText.brief(ea.observation(), f.fields()));
        }
        if (f.b() instanceof Exchange eb) {
            out.printf("  B: %s%n", ObservationText.brief(eb.observation(), f.fields()));
        }
        if (!f.detail().isEmpty()) {
            out.printf("  %s%n", f.detail());
        }
        for (int i = 0; i < Math.min(f.bytes().size(), MAX_BYTE_DIFFS); i++) {
            out.printf("  bytes %s%n", f.bytes().get(i).text());
        }
        if (f.bytes().size() > MAX_BYTE_DIFFS) {
            out.printf("  … %d more byte runs differ%n", f.bytes().size() - MAX_BYTE_DIFFS);
        }
        out.println();
    }

    private static void printCalls(DiffOutcome o, PrintStream out) {
        int w = Math.max(34, o.perCall().keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        String fmt = "%-" + w + "s %6s %6s %6s %6s %5s  %s%n";
        out.printf(fmt, "call", "in A", "in B", "agree", "known", "new", "first divergence");
        for (Map.Entry<String, CallCounts> e : o.perCall().entrySet()) {
            CallCounts c = e.getValue();
            String first = c.firstSeqA() < 0 && c.firstSeqB() < 0 ? "-" : "A @" + seq(c.firstSeqA()) + " / B @" + seq(c.firstSeqB());
            out.printf(fmt, e.getKey(), c.inA(), c.inB(), c.agree(), c.known(), c.newDivergences(), first);
        }
        out.println();
    }

    private static void printVerdict(DiffOutcome o, PrintStream out) {
        if (o.same()) {
            out.println("verdict: the same (every step agrees)");
        } else if (!o.hasNew()) {
            out.printf("verdict: no new divergence (%d agree, %d known: %s)%n", o.agree(), o.knownCount(),
                    String.join(", ", o.knownIds()));
        } else {
            out.printf("verdict: %d NEW divergence(s)%s, %d known, %d agree%n", o.newCount(),
                    o.pathChange() != null ? " and a path change at step #" + o.pathChange().step() : "", o.knownCount(), o.agree());
        }
        if (o.findings().size() < o.newCount() + o.knownCount()) {
            out.printf("note: %d divergences kept in full; the groups and counts cover all %d%n", o.findings().size(),
                    o.newCount() + o.knownCount());
        }
    }

    static String line(TraceRecord r, Function<Exchange, String> describe) {
        return switch (r) {
            case Exchange e -> describe.apply(e);
            case Delivery d -> "delivery vector 0x" + Integer.toHexString(d.vector()) + " to vcpu" + d.vcpu() + " (" + d.source() + ")";
            case TransportPage t -> "transport-page 0x" + Long.toHexString(t.gpa());
            case GuestStop s -> "stop: " + DiffEngine.stopText(s);
        };
    }

    private static String range(DiffGroup g) {
        return "A " + span(g.firstA(), g.lastA()) + "  B " + span(g.firstB(), g.lastB());
    }

    private static String span(long first, long last) {
        if (first < 0) {
            return "-";
        }
        return first == last ? "@" + first : "@" + first + "..@" + last;
    }

    private static String calls(DiffGroup g) {
        var names = g.calls();
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + ", … (" + names.size() + " calls)";
    }

    private static String stop(GuestStop s) {
        return s == null ? "none (the trace has no stop record)" : DiffEngine.stopText(s);
    }

    private static String orNone(String s) {
        return s == null ? "(none)" : s;
    }

    private static String seq(long s) {
        return s < 0 ? "-" : Long.toString(s);
    }
}
