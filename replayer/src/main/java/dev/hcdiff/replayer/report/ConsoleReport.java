package dev.hcdiff.replayer.report;

import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.replayer.latency.LatencyTable;
import dev.hcdiff.replayer.lockstep.CallStats;
import dev.hcdiff.replayer.lockstep.DivergingRecord;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.trace.record.JournalHeader;
import org.HdrHistogram.Histogram;

import java.io.PrintStream;
import java.util.List;
import java.util.Map;

/**
 * The console summary of a replay: the pair on the first line, a per-call table (count, agree,
 * diverged, new, known, p50/p99 per personality), then the first divergence in full, then every
 * divergence grouped by root cause ({@link DivergenceGroups}: one line each with its count and
 * first/last sequence number) rather than a cascade, then the verdict.
 */
public final class ConsoleReport {

    private ConsoleReport() {
    }

    public static void print(ReplayOutcome o, PrintStream out) {
        JournalHeader h = o.header();
        out.printf("replay of %s (served by %s when recorded) through the pair %s,%s: %d records, %d exchanges, %d hypercalls%n",
                orDash(h.get(JournalHeader.GUEST)), orDash(h.get(JournalHeader.BACKEND)), o.referenceName(), o.translatedName(),
                o.records(), o.exchanges(), o.hypercalls());
        out.printf("reference (ref) %s vs translated (tr) %s; latencies are the models' own, per call%n%n",
                o.referenceName(), o.translatedName());
        printTable(o, out);
        out.println();
        printDivergences(o, out);
        printVerdict(o, out);
    }

    private static void printTable(ReplayOutcome o, PrintStream out) {
        int w = Math.max(34, o.perCall().keySet().stream().mapToInt(String::length).max().orElse(0) + 2);
        String ref = o.referenceName();
        String tr = o.translatedName();
        String fmt = "%-" + w + "s %6s %6s %8s %5s %6s %10s %10s %10s %10s%n";
        out.printf(fmt, "call", "count", "agree", "diverged", "new", "known", "ref p50", "ref p99", "tr p50", "tr p99");
        long count = 0, agree = 0, diverged = 0, nw = 0, known = 0;
        for (Map.Entry<String, CallStats> e : o.perCall().entrySet()) {
            CallStats s = e.getValue();
            out.printf(fmt, e.getKey(), s.count(), s.agree(), s.diverged(), s.newDivergences(), s.known(),
                    pct(o.latency(), e.getKey(), ref, 50), pct(o.latency(), e.getKey(), ref, 99),
                    pct(o.latency(), e.getKey(), tr, 50), pct(o.latency(), e.getKey(), tr, 99));
            count += s.count();
            agree += s.agree();
            diverged += s.diverged();
            nw += s.newDivergences();
            known += s.known();
        }
        out.printf(fmt, "total", count, agree, diverged, nw, known, "", "", "", "");
        if (o.unmodelled() > 0) {
            out.printf("%d exchange(s) hit calls the reference model does not implement yet (answered -ENOSYS, marked unmodelled)%n",
                    o.unmodelled());
        }
    }

    private static void printDivergences(ReplayOutcome o, PrintStream out) {
        List<DivergingRecord> ds = o.diverging();
        if (ds.isEmpty()) {
            return;
        }
        DivergingRecord first = ds.stream().filter(DivergingRecord::isNew).findFirst().orElse(ds.getFirst());
        Divergence d = first.primary();
        out.printf("first %sdivergence: @%d vcpu %d %s (%s)%s%n", first.isNew() ? "new " : "",
                d.seq(), d.request().vcpu(), d.call(), d.kind().reportName(), label(d));
        if (d.error() != null) {
            out.printf("  error: %s%n", d.error());
        }
        if (d.kind() == Divergence.Kind.RECORDED) {
            out.printf("  %-14s %s%n", "model:", ObservationText.brief(d.reference(), d.fields()));
            out.printf("  %-14s %s%n", "recorded:", ObservationText.brief(d.other(), d.fields()));
        } else {
            out.printf("  %-14s %s%n", o.referenceName() + ":", ObservationText.brief(first.reference(), d.fields()));
            out.printf("  %-14s %s%n", o.translatedName() + ":", ObservationText.brief(first.translated(), d.fields()));
        }
        // Grouped so that one root cause reads as one line: known gaps by catalog id, new
        // divergences by call; each group with its kind, fields, count and first/last record.
        out.println("divergences, grouped (one line per root cause):");
        for (DivergenceGroups.Group g : DivergenceGroups.of(ds)) {
            String label = g.knownId() != null ? "known " + g.knownId() : "NEW   " + g.call();
            String span = g.firstSeq() == g.lastSeq() ? "@" + g.firstSeq() : "@" + g.firstSeq() + "..@" + g.lastSeq();
            out.printf("  %-48s %-8s %-18s ×%-5d %-14s %s%n", label, g.kind().reportName(), g.fields(), g.count(), span,
                    g.knownId() != null ? calls(g.calls()) : "");
        }
        out.println();
    }

    private static void printVerdict(ReplayOutcome o, PrintStream out) {
        long nw = o.newDivergences();
        long known = o.knownDivergences();
        if (nw == 0) {
            out.printf("verdict: no new divergence (%d agree, %d known%s)%n", o.agree(), known,
                    known > 0 ? ": " + String.join(", ", o.knownIds()) : "");
        } else {
            out.printf("verdict: %d NEW divergence(s), %d known, %d agree%n", nw, known, o.agree());
        }
        if (o.stop() == null) {
            out.println("note: the trace has no final stop record (truncated, or a hand-written case)");
        } else {
            out.printf("guest stop: %s (%s)%n", o.stop().reason().textName(), o.stop().detail());
        }
    }

    /** The calls a known gap covered, at most three named. */
    private static String calls(List<String> names) {
        return names.size() <= 3 ? String.join(", ", names)
                : String.join(", ", names.subList(0, 3)) + ", … (" + names.size() + " calls)";
    }

    private static String label(Divergence d) {
        return String.join("", d.knownAll().stream().map(k -> " known: " + k.id() + " (" + k.rationale() + ")").toList());
    }

    private static String pct(LatencyTable t, String call, String side, double p) {
        Histogram h = t.get(call, side);
        return h == null || h.getTotalCount() == 0 ? "-" : Durations.format(h.getValueAtPercentile(p));
    }

    private static String orDash(String s) {
        return s == null ? "-" : s;
    }
}
