package dev.hcdiff.oracle.coverage;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.compare.KnownDivergences;

import java.lang.reflect.Method;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The ABI coverage of the translating backends ({@code hcdiff abi}, docs/abi-coverage.md), read by
 * reflection from the {@link Covers} on the methods of the classes {@link CoverageRegistry} lists:
 * <ul>
 *   <li>Xen on Hyper-V: every Xen call the reference model implements ({@link ReferenceXenCalls}),
 *       with the adapter's realisation, or {@link Status#UNCOVERED}; then any call the adapter
 *       declares that the reference leaves unmodelled;</li>
 *   <li>Hyper-V on Xen: every Hyper-V hypercall and TLFS synthetic MSR ({@link HvSurface}), with
 *       the {@code hyperv-on-xen} backend's realisation, or uncovered.</li>
 * </ul>
 * Rows are in ABI order (hypercall, then sub-op, number; MSR index), so the output is deterministic.
 * {@link #problems()} names every declaration that is wrong: an unknown call name, a call declared
 * twice, a GAP without a catalog id, a gap id the known-divergence catalog does not have.
 */
public final class AbiCoverage {

    /** The two translating directions. */
    public enum Direction {
        XEN_ON_HYPERV("xen-on-hyperv", "Xen call", "Xen HVM guest on the Hyper-V model, through the adapter"),
        HYPERV_ON_XEN("hyperv-on-xen", "Hyper-V call / MSR", "Hyper-V guest on the Xen model (Xen's viridian)");

        private final String backend;
        private final String heading;
        private final String title;

        Direction(String backend, String heading, String title) {
            this.backend = backend;
            this.heading = heading;
            this.title = title;
        }

        /** The backend name ({@code hcdiff record --backend}). */
        public String backend() {
            return backend;
        }

        /** What a row's call is: the first column's heading. */
        public String heading() {
            return heading;
        }

        /** One line saying who serves whom. */
        public String title() {
            return title;
        }
    }

    /** A row's realisation: the three of {@link Realisation}, or none declared. */
    public enum Status {
        MAPPED, EMULATED, GAP, UNCOVERED;

        static Status of(Realisation r) {
            return switch (r) {
                case MAPPED -> MAPPED;
                case EMULATED -> EMULATED;
                case GAP -> GAP;
            };
        }

        /** Lower case, as tables print it. */
        public String label() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /**
     * One call of the guest's ABI.
     *
     * @param call     the name {@code @Covers(call = ...)} uses ({@code EVTCHNOP_send},
     *                 {@code HvCallSignalEvent}, {@code HV_X64_MSR_SINT0})
     * @param group    the hypercall it belongs to ({@code event_channel_op}), {@code hypercall} or {@code msr}
     * @param number   its number: {@code 32/4} (hypercall/sub-op), {@code 0x005d}, {@code 0x40000090}
     * @param status   how the backend realises it
     * @param via      what realises it (empty when uncovered)
     * @param gap      the known-divergence id that explains what differs, or empty
     * @param servedBy the method carrying the declaration ({@code EventChannelOps.send}), or empty
     * @param note     what else a reader must know (the reference leaves it unmodelled; no backend), or empty
     */
    public record Row(String call, String group, String number, Status status, String via, String gap,
                      String servedBy, String note) {
    }

    /** How many rows have each status. */
    public record Counts(int mapped, int emulated, int gap, int uncovered) {

        static Counts of(List<Row> rows) {
            int[] n = new int[Status.values().length];
            rows.forEach(r -> n[r.status().ordinal()]++);
            return new Counts(n[0], n[1], n[2], n[3]);
        }

        /** Every row. */
        public int total() {
            return mapped + emulated + gap + uncovered;
        }
    }

    /**
     * One direction's table.
     *
     * @param direction      which one
     * @param backendPresent whether the backend's class is on the class path
     * @param missing        registry classes not on the class path
     * @param rows           the rows in ABI order
     * @param counts         rows per status
     */
    public record Table(Direction direction, boolean backendPresent, List<String> missing, List<Row> rows, Counts counts) {
    }

    /** A {@link Covers} and the method that carries it. */
    record Declared(Covers covers, String servedBy) {
    }

    private final Table xenOnHyperV;
    private final Table hyperVOnXen;
    private final List<String> problems;

    private AbiCoverage(Table xenOnHyperV, Table hyperVOnXen, List<String> problems) {
        this.xenOnHyperV = xenOnHyperV;
        this.hyperVOnXen = hyperVOnXen;
        this.problems = problems;
    }

    /** Reads both tables from the registered classes and probes the reference for its Xen calls. */
    public static AbiCoverage read() {
        return read(CoverageRegistry.XEN_ON_HYPERV, CoverageRegistry.HYPERV_ON_XEN, ReferenceXenCalls.implemented(),
                Backends.names());
    }

    /**
     * Reads both tables from the given classes (tests pass their own).
     *
     * @param reference the Xen calls the reference implements
     * @param backends  the backend names that exist ({@link Backends#names()})
     */
    static AbiCoverage read(List<String> xenClasses, List<String> hvClasses, List<XenCall> reference,
                            List<String> backends) {
        List<String> problems = new ArrayList<>();
        Table x = xenTable(backends.contains(Direction.XEN_ON_HYPERV.backend()), xenClasses, reference, problems);
        Table h = hyperVTable(backends.contains(Direction.HYPERV_ON_XEN.backend()), hvClasses, problems);
        return new AbiCoverage(x, h, List.copyOf(problems));
    }

    /** Xen on Hyper-V. */
    public Table xenOnHyperV() {
        return xenOnHyperV;
    }

    /** Hyper-V on Xen. */
    public Table hyperVOnXen() {
        return hyperVOnXen;
    }

    /** Both tables, Xen on Hyper-V first. */
    public List<Table> tables() {
        return List.of(xenOnHyperV, hyperVOnXen);
    }

    /** Every wrong declaration, one line each naming the method; empty when all are right. */
    public List<String> problems() {
        return problems;
    }

    private static Table xenTable(boolean present, List<String> classes, List<XenCall> reference, List<String> problems) {
        List<String> missing = new ArrayList<>();
        Map<String, Declared> declared = scan(classes, missing, problems);
        TreeMap<XenCall, Row> rows = new TreeMap<>();
        for (XenCall c : reference) {
            rows.put(c, row(c.name(), c.hypercall().xenName(), xenNumber(c), declared.get(c.name()), ""));
        }
        declared.forEach((name, d) -> {
            Optional<XenCall> c = XenCall.byName(name);
            if (c.isEmpty()) {
                problems.add(d.servedBy() + ": @Covers(call=\"" + name + "\") is not a Xen call hcdiff names "
                        + "(a hypercall of XenHypercall without sub-ops, or a sub-op of XenSubOps)");
            } else if (!rows.containsKey(c.get())) {
                rows.put(c.get(), row(name, c.get().hypercall().xenName(), xenNumber(c.get()), d,
                        "the reference leaves it unmodelled"));
            }
        });
        List<Row> list = List.copyOf(rows.values());
        return new Table(Direction.XEN_ON_HYPERV, present, List.copyOf(missing), list, Counts.of(list));
    }

    private static Table hyperVTable(boolean present, List<String> classes, List<String> problems) {
        List<String> missing = new ArrayList<>();
        Map<String, Declared> declared = scan(classes, missing, problems);
        String absent = present ? "" : "no " + Direction.HYPERV_ON_XEN.backend() + " backend";
        List<Row> rows = new ArrayList<>();
        for (HvSurface.Call c : HvSurface.calls()) {
            rows.add(row(c.name(), "hypercall", String.format("0x%04x", c.code()), declared.remove(c.name()), absent));
        }
        for (HvSurface.SyntheticMsr m : HvSurface.msrs()) {
            rows.add(row(m.name(), "msr", String.format("0x%08x", m.index()), declared.remove(m.name()), absent));
        }
        declared.forEach((name, d) -> problems.add(d.servedBy() + ": @Covers(call=\"" + name
                + "\") is neither a Hyper-V call of HvCallCode nor a TLFS synthetic MSR (HV_X64_MSR_*)"));
        List<Row> list = List.copyOf(rows);
        return new Table(Direction.HYPERV_ON_XEN, present, List.copyOf(missing), list, Counts.of(list));
    }

    private static Row row(String call, String group, String number, Declared d, String note) {
        if (d == null) {
            return new Row(call, group, number, Status.UNCOVERED, "", "", "", note);
        }
        Covers c = d.covers();
        return new Row(call, group, number, Status.of(c.as()), c.via(), c.gap(), d.servedBy(), note);
    }

    private static String xenNumber(XenCall c) {
        return c.subOp() == XenCall.NO_SUB_OP ? Integer.toString(c.hypercall().number())
                : c.hypercall().number() + "/" + c.subOp();
    }

    /**
     * Every {@link Covers} on the declared methods of {@code classes}, by call name, in a stable
     * order (class list order, then method name); problems for duplicates and bad gap ids.
     */
    static Map<String, Declared> scan(List<String> classes, List<String> missing, List<String> problems) {
        Map<String, Declared> out = new LinkedHashMap<>();
        for (String name : classes) {
            Class<?> k;
            try {
                k = Class.forName(name, false, AbiCoverage.class.getClassLoader());
            } catch (ClassNotFoundException e) {
                missing.add(name);
                continue;
            }
            Method[] methods = k.getDeclaredMethods();
            java.util.Arrays.sort(methods, Comparator.comparing(Method::getName)
                    .thenComparing(m -> java.util.Arrays.toString(m.getParameterTypes())));
            for (Method m : methods) {
                if (m.isBridge() || m.isSynthetic()) {
                    continue; // javac copies a method's annotations onto its bridge (generic interfaces)
                }
                for (Covers c : m.getAnnotationsByType(Covers.class)) {
                    String where = k.getSimpleName() + "." + m.getName();
                    check(c, where, problems);
                    Declared before = out.putIfAbsent(c.call(), new Declared(c, where));
                    if (before != null) {
                        problems.add(where + ": @Covers(call=\"" + c.call() + "\") is declared again (first on "
                                + before.servedBy() + "); one declaration per call");
                    }
                }
            }
        }
        return out;
    }

    private static void check(Covers c, String where, List<String> problems) {
        if (c.as() == Realisation.GAP && c.gap().isEmpty()) {
            problems.add(where + ": @Covers(call=\"" + c.call() + "\", as=GAP) needs gap=\"<known-divergence id>\"");
        }
        for (String id : gapIds(c.gap())) {
            if (KnownDivergences.byId(id).isEmpty()) {
                problems.add(where + ": @Covers(call=\"" + c.call() + "\") names gap \"" + id
                        + "\", which is not in the known-divergence catalog");
            }
        }
        if (c.via().isEmpty() && c.as() != Realisation.GAP) {
            problems.add(where + ": @Covers(call=\"" + c.call() + "\") needs via=\"<what realises it>\"");
        }
    }

    /** The ids of a {@link Covers#gap()}: none, one, or several separated by ",". */
    public static List<String> gapIds(String gap) {
        return gap.isBlank() ? List.of() : java.util.Arrays.stream(gap.split(",")).map(String::strip).toList();
    }
}
