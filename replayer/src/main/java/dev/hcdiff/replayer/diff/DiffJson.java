package dev.hcdiff.replayer.diff;

import dev.hcdiff.oracle.compare.KnownDivergence;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.replayer.report.JsonReport;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestStop;

import java.io.IOException;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable diff report ({@code diff --json FILE}), part of the CLI contract:
 * <pre>
 * { "a": {side}, "b": {side}, "reference": "A" | "B" | null,
 *   "summary": {"same", "steps", "agree", "new", "known", "known_ids", "path_change"},
 *   "first": {finding} | null,
 *   "console_lines": {"a", "b"} | null,   (the lines the guests printed at the first new output difference)
 *   "path_change": {"step", "seq_a", "seq_b", "a", "b", "after": {finding} | null} | null,
 *   "groups": [ {"known", "call", "calls", "kind", "fields", "count", "first_a", "last_a", "first_b", "last_b"} ],
 *   "calls": {call: {"a", "b", "agree", "known", "new", "first_seq_a", "first_seq_b"}},
 *   "findings": [ {"kind", "seq_a", "seq_b", "call", "fields", "known", "known_all", "detail", "bytes": [...], "a": obs, "b": obs} ],
 *   "stop": {"a": stop | null, "b": stop | null} }
 * side = {"path", "guest", "backend", "xen_cpuid_base", "records", "exchanges"}
 * </pre>
 * It leads with the first divergence and the groups; {@code findings} lists each in A's order
 * (at most {@link DiffEngine#MAX_FINDINGS_KEPT}). Sequence numbers absent on a side are -1.
 */
public final class DiffJson {

    private DiffJson() {
    }

    public static void write(DiffOutcome o, OutputStream out) throws IOException {
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT).writeValue(out, toTree(o));
    }

    static Map<String, Object> toTree(DiffOutcome o) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("a", side(o.a()));
        root.put("b", side(o.b()));
        root.put("reference", o.reference());
        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("same", o.same());
        summary.put("steps", o.steps());
        summary.put("agree", o.agree());
        summary.put("new", o.newCount());
        summary.put("known", o.knownCount());
        summary.put("known_ids", o.knownIds());
        summary.put("path_change", o.pathChange() != null);
        root.put("summary", summary);
        root.put("first", o.first() == null ? null : finding(o.first()));
        Map<String, Object> console = new LinkedHashMap<>();
        console.put("a", o.consoleA());
        console.put("b", o.consoleB());
        root.put("console_lines", o.consoleA() == null && o.consoleB() == null ? null : console);
        if (o.pathChange() == null) {
            root.put("path_change", null);
        } else {
            PathChange p = o.pathChange();
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("step", p.step());
            m.put("seq_a", p.seqA());
            m.put("seq_b", p.seqB());
            m.put("a", p.madeA());
            m.put("b", p.madeB());
            m.put("after", p.after() == null ? null : finding(p.after()));
            root.put("path_change", m);
        }
        List<Object> groups = new ArrayList<>();
        for (DiffGroup g : o.groups()) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("known", g.knownId());
            m.put("call", g.call());
            m.put("calls", g.calls());
            m.put("kind", g.kind().reportName());
            m.put("fields", g.fields().equals("-") ? List.of() : List.of(g.fields().split(",")));
            m.put("count", g.count());
            m.put("first_a", g.firstA());
            m.put("last_a", g.lastA());
            m.put("first_b", g.firstB());
            m.put("last_b", g.lastB());
            groups.add(m);
        }
        root.put("groups", groups);
        Map<String, Object> calls = new LinkedHashMap<>();
        o.perCall().forEach((call, c) -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("a", c.inA());
            m.put("b", c.inB());
            m.put("agree", c.agree());
            m.put("known", c.known());
            m.put("new", c.newDivergences());
            m.put("first_seq_a", c.firstSeqA());
            m.put("first_seq_b", c.firstSeqB());
            calls.put(call, m);
        });
        root.put("calls", calls);
        root.put("findings", o.findings().stream().map(DiffJson::finding).toList());
        Map<String, Object> stop = new LinkedHashMap<>();
        stop.put("a", stop(o.stopA()));
        stop.put("b", stop(o.stopB()));
        root.put("stop", stop);
        return root;
    }

    private static Map<String, Object> side(DiffSide s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("path", s.name());
        m.put("guest", s.guest());
        m.put("backend", s.backend());
        m.put("xen_cpuid_base", s.xenBase() == null ? null : "0x" + Integer.toHexString(s.xenBase()));
        m.put("records", s.records());
        m.put("exchanges", s.exchanges());
        return m;
    }

    private static Map<String, Object> finding(Finding f) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("kind", f.kind().reportName());
        m.put("seq_a", f.seqA());
        m.put("seq_b", f.seqB());
        m.put("call", f.call());
        m.put("fields", f.fields().stream().sorted().map(Field::reportName).toList());
        m.put("known", f.known() == null ? null : f.known().id());
        m.put("known_all", f.knownAll().stream().map(KnownDivergence::id).toList());
        m.put("detail", f.detail());
        List<Object> bytes = new ArrayList<>();
        for (ByteDiff d : f.bytes()) {
            Map<String, Object> b = new LinkedHashMap<>();
            b.put("gpa", "0x" + Long.toHexString(d.gpa()));
            b.put("offset", d.offset());
            b.put("window", d.window());
            b.put("a", d.a());
            b.put("b", d.b());
            b.put("differing", d.differing());
            bytes.add(b);
        }
        m.put("bytes", bytes);
        m.put("a", f.a() instanceof Exchange e ? JsonReport.observation(e.observation()) : null);
        m.put("b", f.b() instanceof Exchange e ? JsonReport.observation(e.observation()) : null);
        return m;
    }

    private static Map<String, Object> stop(GuestStop s) {
        if (s == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("reason", s.reason().textName());
        m.put("detail", s.detail());
        m.put("vcpu", s.vcpu());
        m.put("rip", "0x" + Long.toHexString(s.rip()));
        return m;
    }
}
