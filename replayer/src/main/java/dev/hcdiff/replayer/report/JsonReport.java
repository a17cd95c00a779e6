package dev.hcdiff.replayer.report;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.replayer.lockstep.CallStats;
import dev.hcdiff.replayer.lockstep.DivergingRecord;
import dev.hcdiff.replayer.lockstep.ReplayOutcome;
import dev.hcdiff.trace.record.Fault;
import dev.hcdiff.trace.record.Interrupt;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TimerArm;
import org.HdrHistogram.Histogram;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The machine-readable replay report ({@code replay --json FILE}); its shape is part of the CLI
 * contract that scripts and CI rely on (README, "JSON report"):
 * <pre>
 * { "records", "hypercalls", "exchanges", "reference", "translated", "trace": {header},
 *   "summary": {"agree", "diverged", "new", "known", "unmodelled", "known_ids"},
 *   "calls": {call: {"count", "agree", "diverged", "new", "known", "unmodelled"}},
 *   "first": {"seq", "vcpu", "call", "kind", "fields", "known", "error"} | null,   (a new one if any)
 *   "groups": [ {"known", "call", "calls", "kind", "fields", "count", "first_seq", "last_seq"} ],
 *   "divergences": [ {"seq", "vcpu", "call", "kind", "fields", "known", "error",
 *                     "reference", "translated", "recorded", "others": [...]} ],
 *   "latency_ns": {call: {side: {"count", "p50", "p99", "max"}}},
 *   "stop": {"reason", "detail", "vcpu", "rip"} | null }
 * </pre>
 * {@code groups} has one entry per root cause ({@link DivergenceGroups}). One entry in
 * {@code divergences} per diverging record; its first divergence leads ({@code kind},
 * {@code fields}, {@code known}), any further one of the same record is in {@code others}.
 */
public final class JsonReport {

    private JsonReport() {
    }

    public static void write(ReplayOutcome o, OutputStream out) throws IOException {
        ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        mapper.writeValue(out, toTree(o));
    }

    static Map<String, Object> toTree(ReplayOutcome o) {
        Map<String, Object> root = new LinkedHashMap<>();
        root.put("records", o.records());
        root.put("hypercalls", o.hypercalls());
        root.put("exchanges", o.exchanges());
        root.put("reference", o.referenceName());
        root.put("translated", o.translatedName());
        root.put("trace", o.header().fields());

        Map<String, Object> summary = new LinkedHashMap<>();
        summary.put("agree", o.agree());
        summary.put("diverged", o.diverging().size());
        summary.put("new", o.newDivergences());
        summary.put("known", o.knownDivergences());
        summary.put("unmodelled", o.unmodelled());
        summary.put("known_ids", o.knownIds());
        root.put("summary", summary);

        Map<String, Object> calls = new LinkedHashMap<>();
        for (Map.Entry<String, CallStats> e : o.perCall().entrySet()) {
            CallStats s = e.getValue();
            Map<String, Object> c = new LinkedHashMap<>();
            c.put("count", s.count());
            c.put("agree", s.agree());
            c.put("diverged", s.diverged());
            c.put("new", s.newDivergences());
            c.put("known", s.known());
            c.put("unmodelled", s.unmodelled());
            calls.put(e.getKey(), c);
        }
        root.put("calls", calls);

        // The first divergence (a new one if any) and the groups lead; "divergences" lists each record.
        DivergingRecord first = o.diverging().stream().filter(DivergingRecord::isNew).findFirst()
                .orElse(o.diverging().isEmpty() ? null : o.diverging().getFirst());
        root.put("first", first == null ? null : divergence(first.primary()));
        List<Object> groups = new ArrayList<>();
        for (DivergenceGroups.Group g : DivergenceGroups.of(o.diverging())) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("known", g.knownId());
            m.put("known_all", g.knownId() == null ? List.of() : List.of(g.knownId().split("\\+")));
            m.put("call", g.call());
            m.put("calls", g.calls());
            m.put("kind", g.kind().reportName());
            m.put("fields", g.fields().isEmpty() ? List.of() : List.of(g.fields().split(",")));
            m.put("count", g.count());
            m.put("first_seq", g.firstSeq());
            m.put("last_seq", g.lastSeq());
            groups.add(m);
        }
        root.put("groups", groups);

        List<Object> divergences = new ArrayList<>();
        for (DivergingRecord r : o.diverging()) {
            Map<String, Object> d = divergence(r.primary());
            d.put("reference", observation(r.reference()));
            d.put("translated", observation(r.translated()));
            d.put("recorded", observation(r.exchange().observation()));
            List<Object> others = new ArrayList<>();
            for (Divergence x : r.divergences().subList(1, r.divergences().size())) {
                others.add(divergence(x));
            }
            d.put("others", others);
            divergences.add(d);
        }
        root.put("divergences", divergences);

        Map<String, Object> latency = new LinkedHashMap<>();
        for (Map.Entry<String, Map<String, Histogram>> e : o.latency().histograms().entrySet()) {
            Map<String, Object> sides = new LinkedHashMap<>();
            e.getValue().forEach((side, h) -> {
                Map<String, Object> s = new LinkedHashMap<>();
                s.put("count", h.getTotalCount());
                s.put("p50", h.getValueAtPercentile(50));
                s.put("p99", h.getValueAtPercentile(99));
                s.put("max", h.getMaxValue());
                sides.put(side, s);
            });
            latency.put(e.getKey(), sides);
        }
        root.put("latency_ns", latency);

        if (o.stop() == null) {
            root.put("stop", null);
        } else {
            Map<String, Object> stop = new LinkedHashMap<>();
            stop.put("reason", o.stop().reason().textName());
            stop.put("detail", o.stop().detail());
            stop.put("vcpu", o.stop().vcpu());
            stop.put("rip", "0x" + Long.toHexString(o.stop().rip()));
            root.put("stop", stop);
        }
        return root;
    }

    private static Map<String, Object> divergence(Divergence x) {
        Map<String, Object> d = new LinkedHashMap<>();
        d.put("seq", x.seq());
        d.put("vcpu", x.request().vcpu());
        d.put("call", x.call());
        d.put("kind", x.kind().reportName());
        d.put("fields", x.fields().stream().sorted().map(Field::reportName).toList());
        d.put("known", x.known() == null ? null : x.known().id());
        d.put("known_all", x.knownIds());
        d.put("error", x.error());
        return d;
    }

    /** An observation as a JSON object; null when that side failed (also the diff report's form). */
    public static Map<String, Object> observation(Observation o) {
        if (o == null) {
            return null;
        }
        Map<String, Object> m = new LinkedHashMap<>();
        List<Long> returns = new ArrayList<>();
        for (long v : o.returns()) {
            returns.add(v);
        }
        m.put("returns", returns);
        m.put("fault", o.fault() == Fault.NONE ? null : o.fault().name().toLowerCase());
        List<Object> writes = new ArrayList<>();
        for (MemChunk c : o.writes()) {
            writes.add(Map.of("gpa", "0x" + Long.toHexString(c.gpa()), "hex", HexFormat.of().formatHex(c.data())));
        }
        m.put("writes", writes);
        m.put("events", o.eventsPending());
        List<Object> interrupts = new ArrayList<>();
        for (Interrupt i : o.interrupts()) {
            interrupts.add(Map.of("vcpu", i.vcpu(), "vector", i.vector(), "source", i.source()));
        }
        m.put("interrupts", interrupts);
        List<Object> timers = new ArrayList<>();
        for (TimerArm t : o.timers()) {
            timers.add(Map.of("vcpu", t.vcpu(), "timer", t.timer(), "deadline_ns", t.deadlineNs(), "period_ns", t.periodNs()));
        }
        m.put("timers", timers);
        m.put("console", new String(o.console(), StandardCharsets.UTF_8));
        Map<String, Object> vcpu = new LinkedHashMap<>();
        vcpu.put("run", o.vcpu().run().name().toLowerCase());
        vcpu.put("deadline_ns", o.vcpu().deadlineNs());
        vcpu.put("ports", o.vcpu().ports());
        m.put("vcpu", vcpu);
        m.put("shutdown", o.shutdown() < 0 ? null : o.shutdown());
        m.put("trail", o.trail());
        return m;
    }
}
