package dev.hcdiff.replayer.diff;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.adapter.XenDiscovery;
import dev.hcdiff.oracle.compare.Comparator;
import dev.hcdiff.oracle.compare.Field;
import dev.hcdiff.oracle.compare.KnownDivergence;
import dev.hcdiff.oracle.compare.KnownDivergences;
import dev.hcdiff.oracle.xen.abi.CpuidH;
import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.CpuidQuery;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.MsrRead;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.UnaryOperator;

/**
 * Compares two recordings of the same guest, typically recorded live under two backends
 * ({@code hcdiff diff A B}). Closed loop: each guest saw its own hypervisor's answers, so its path
 * may change; the diff finds the first place where what the guests asked or observed differs.
 *
 * <p>Alignment rule:
 * <ol>
 *   <li>CPUID answers are a table the recorder builds before the guest runs (one exchange per
 *       leaf), not steps: they are matched by (vCPU, leaf, subleaf), each side's Xen leaves
 *       relative to where its guest found Xen (the leaf answering "XenVMMXenVMM"), so Xen at
 *       0x40000100 under {@code xen-on-hyperv} meets Xen at 0x40000000 under {@code xen}. A leaf
 *       only one side offers (Hyper-V's own 0x40000000 range) is a {@link Finding.Kind#CPUID}
 *       finding, known when the catalog says so.</li>
 *   <li>Every other record (exchanges, deliveries, transport pages, the stop) is a step, aligned
 *       by position. B's requests are read as made to A's Xen ({@link XenDiscovery}), so the
 *       hypercall-page MSR moved with the CPUID base is the same step. Two steps are the same
 *       when they are the same kind of record and, for exchanges, the same call (name as
 *       {@link CallNames}) on the same vCPU; then their requests (arguments, and the guest bytes
 *       both hypervisors read first at the same address: how much each reads is its own
 *       business) and observations (the {@link Comparator}'s fields) are compared. The writes
 *       made while the CPUID tables were built are compared as one list (a backend's first
 *       request carries effects that are no leaf's).</li>
 *   <li>At the first step that is not the same, the guest took another path: that is reported
 *       once ({@link PathChange}), and the rest of both runs is counted by call, not compared.</li>
 * </ol>
 * A difference in what the guests observed is looked up in the known-divergence catalog with the
 * side that {@link Backends#pairFor} makes the reference as reference; two recordings under the
 * same backend, or backends that are no pair, have nothing known. Streams both traces: memory is
 * bounded by the CPUID table and {@link #MAX_FINDINGS_KEPT}.
 */
public final class DiffEngine {

    /** Findings kept in full; further ones still count in their group and per call. */
    public static final int MAX_FINDINGS_KEPT = 10_000;
    /** Xen's leaves at a base: base..base+0xFF (xen-abi.md §2; xen/arch/x86/cpuid.c). */
    static final int XEN_LEAF_SPAN = 0x100;
    /** The catalog entry for Xen's leaves moved to another base. */
    static final KnownDivergence RELOCATED = KnownDivergences.byId("xen-cpuid-relocated")
            .orElseThrow(() -> new IllegalStateException("the catalog lost xen-cpuid-relocated"));
    /** The name the CPUID table build's writes are counted under. */
    static final String CPUID_TABLE_WRITES = "cpuid table (writes)";
    /** Side names in reports. */
    static final String A = "A", B = "B";

    private final DiffSide a;
    private final DiffSide b;
    private final String reference;
    /** The backend of the other side, whose pair's catalog applies; null with {@code reference}. */
    private final String translated;
    private final UnaryOperator<GuestRequest> bToA;
    private final Map<String, CallCounts> perCall = new LinkedHashMap<>();
    private final Map<String, DiffGroup> groups = new LinkedHashMap<>();
    private final List<Finding> findings = new ArrayList<>();
    private long newCount;
    private long knownCount;
    /** The latest step finding, which a path change names as what came just before it. */
    private Finding lastFound;
    private long steps;
    private long agree;

    private DiffEngine(DiffSide a, DiffSide b) {
        this.a = a;
        this.b = b;
        this.reference = reference(a.header(), b.header());
        this.translated = reference == null ? null : servedBy(reference.equals(A) ? b.header() : a.header());
        this.bToA = a.xenBase() != null && b.xenBase() != null
                ? XenDiscovery.relocate(b.xenBase(), a.xenBase()) : UnaryOperator.identity();
    }

    /**
     * Diffs two traces on disk (journal directories or {@code .hct} files).
     *
     * @throws dev.hcdiff.trace.TraceFormatException when either is missing or unreadable
     */
    public static DiffOutcome diff(Path pathA, Path pathB) {
        try (Trace ta = Traces.open(pathA); Trace tb = Traces.open(pathB)) {
            return diff(pathA.toString(), ta.header(), ta, pathB.toString(), tb.header(), tb);
        }
    }

    /** Diffs two traces given as their headers and records (each iterated twice). */
    public static DiffOutcome diff(String nameA, JournalHeader headerA, Iterable<TraceRecord> recordsA,
                                   String nameB, JournalHeader headerB, Iterable<TraceRecord> recordsB) {
        Integer baseA = xenBase(recordsA);
        Integer baseB = xenBase(recordsB);
        Side sa = new Side(recordsA.iterator());
        Side sb = new Side(recordsB.iterator());
        DiffEngine e = new DiffEngine(new DiffSide(nameA, headerA, baseA, 0, 0), new DiffSide(nameB, headerB, baseB, 0, 0));
        return e.run(sa, sb);
    }

    private DiffOutcome run(Side sa, Side sb) {
        PathChange change = null;
        long step = 0;
        while (true) {
            TraceRecord ra = sa.next(this, true);
            TraceRecord rb = sb.next(this, false);
            if (ra == null && rb == null) {
                break;
            }
            String callA = ra == null ? null : nameOf(ra, false);
            String callB = rb == null ? null : nameOf(rb, true);
            if (ra != null) {
                counts(callA).countA();
            }
            if (rb != null) {
                counts(callB).countB();
            }
            if (change == null && !sameStep(ra, rb, callA, callB)) {
                change = new PathChange(step, ra, rb, made(ra, callA), made(rb, callB), lastFound);
            }
            if (change == null) {
                steps++;
                long before = newCount;
                compareStep(ra, rb, callA);
                if (newCount > before && !sa.console.capturing && sa.console.captured == null
                        && ra instanceof Exchange ea && rb instanceof Exchange eb
                        && (ea.observation().console().length > 0 || eb.observation().console().length > 0)) {
                    // The first new difference in what the guest printed: show the whole lines.
                    sa.console.capturing = true;
                    sb.console.capturing = true;
                }
            }
            sa.console.feed(ra);
            sb.console.feed(rb);
            step++;
        }
        compareCpuidTables(sa, sb);
        findings.sort(java.util.Comparator.comparingLong(Finding::order));
        List<DiffGroup> ordered = new ArrayList<>(groups.values());
        ordered.sort(java.util.Comparator.comparingLong(g -> g.firstA() >= 0 ? g.firstA() : g.firstB()));
        DiffSide da = new DiffSide(a.name(), a.header(), a.xenBase(), sa.records, sa.exchanges);
        DiffSide db = new DiffSide(b.name(), b.header(), b.xenBase(), sb.records, sb.exchanges);
        return new DiffOutcome(da, db, reference, steps, agree, findings, newCount, knownCount, ordered, perCall,
                change, sa.stop, sb.stop, sa.console.end(), sb.console.end());
    }

    /** The same step: the same kind of record and, for exchanges, the same call on the same vCPU. */
    private static boolean sameStep(TraceRecord ra, TraceRecord rb, String callA, String callB) {
        if (ra == null || rb == null || ra.getClass() != rb.getClass()) {
            return false;
        }
        if (ra instanceof Exchange ea && rb instanceof Exchange eb) {
            return callA.equals(callB) && ea.request().vcpu() == eb.request().vcpu();
        }
        return true;
    }

    private void compareStep(TraceRecord ra, TraceRecord rb, String call) {
        switch (ra) {
            case Exchange ea -> compareExchanges(ea, (Exchange) rb, call);
            case Delivery da -> {
                Delivery db = (Delivery) rb;
                if (da.vcpu() == db.vcpu() && da.vector() == db.vector() && da.source().equals(db.source())) {
                    agreed(call);
                } else {
                    found(new Finding(Finding.Kind.DELIVERY, da.seq(), db.seq(), call, da, db, Set.of(), List.of(), List.of(),
                            "A injected vector 0x" + Integer.toHexString(da.vector()) + " to vcpu" + da.vcpu() + " (" + da.source()
                                    + "), B vector 0x" + Integer.toHexString(db.vector()) + " to vcpu" + db.vcpu() + " (" + db.source() + ")"));
                }
            }
            case TransportPage ta -> {
                // The stubs are the recorder's own (transport, never a divergence): only where they went matters.
                TransportPage tb = (TransportPage) rb;
                if (ta.gpa() == tb.gpa()) {
                    agreed(call);
                } else {
                    found(new Finding(Finding.Kind.TRANSPORT, ta.seq(), tb.seq(), call, ta, tb, Set.of(), List.of(), List.of(),
                            "hypercall page at 0x" + Long.toHexString(ta.gpa()) + " in A, 0x" + Long.toHexString(tb.gpa()) + " in B"));
                }
            }
            case GuestStop sa -> {
                GuestStop sb = (GuestStop) rb;
                if (sa.reason() == sb.reason() && sa.detail().equals(sb.detail()) && sa.vcpu() == sb.vcpu()) {
                    agreed(call);
                } else {
                    found(new Finding(Finding.Kind.STOP, sa.seq(), sb.seq(), call, sa, sb, Set.of(), List.of(), List.of(),
                            "A stopped: " + stopText(sa) + "; B stopped: " + stopText(sb)));
                }
            }
        }
    }

    private void compareExchanges(Exchange ea, Exchange eb, String call) {
        GuestRequest qa = ea.request();
        GuestRequest qb = bToA.apply(eb.request());
        Set<Field> fields = Comparator.differingFields(ea.observation(), eb.observation());
        boolean sameRequest = qa.equals(qb) && !ByteDiff.conflict(ea.reads(), eb.reads());
        if (sameRequest && fields.isEmpty()) {
            agreed(call);
            return;
        }
        if (!sameRequest) {
            // Another argument or other bytes read: an earlier answer differed, or the guest did.
            List<ByteDiff> bytes = new ArrayList<>(ByteDiff.conflicts(ea.reads(), eb.reads()));
            bytes.addAll(ByteDiff.between(ea.observation().writes(), eb.observation().writes()));
            found(new Finding(Finding.Kind.REQUEST, ea.seq(), eb.seq(), call, ea, eb, fields, List.of(), bytes,
                    qa.equals(qb) ? "the guest passed other bytes to the same call" : "the guest made the same call with other arguments"));
            return;
        }
        found(new Finding(Finding.Kind.OBSERVATION, ea.seq(), eb.seq(), call, ea, eb, fields,
                known(ea, eb, fields), ByteDiff.between(ea.observation().writes(), eb.observation().writes()), ""));
    }

    /** The catalog entries for a difference between what A and B observed of one request (empty: new). */
    private List<KnownDivergence> known(Exchange ea, Exchange eb, Set<Field> fields) {
        if (reference == null) {
            return List.of();
        }
        // The catalog reads the request as the reference personality got it.
        return usable(reference.equals(A)
                ? KnownDivergences.matchAll(translated, ea.request(), fields, ea.observation(), eb.observation())
                : KnownDivergences.matchAll(translated, eb.request(), fields, eb.observation(), ea.observation()));
    }

    /**
     * A catalog match the diff accepts: the move of Xen's leaves explains a CPUID difference only
     * when both guests found Xen (its matcher accepts any Hyper-V leaf asked as is, which is right
     * for a replay's non-relocated requests but not between two guests that never found Xen).
     */
    private List<KnownDivergence> usable(List<KnownDivergence> match) {
        if ((a.xenBase() == null || b.xenBase() == null)
                && match.stream().anyMatch(k -> k.id().equals(RELOCATED.id()))) {
            return List.of();
        }
        return match;
    }

    private void compareCpuidTables(Side sa, Side sb) {
        for (Map.Entry<CpuidKey, Exchange> e : sa.cpuid.entrySet()) {
            Exchange ea = e.getValue();
            Exchange eb = sb.cpuid.get(e.getKey());
            String call = cpuidName(e.getKey(), a);
            if (eb == null) {
                onlyOneSide(ea, true, sb, call);
                continue;
            }
            steps++;
            Set<Field> fields = answerFields(ea.observation(), eb.observation());
            if (fields.isEmpty()) {
                agreed(call);
            } else {
                found(cpuidPair(ea, eb, fields, call));
            }
        }
        for (Map.Entry<CpuidKey, Exchange> e : sb.cpuid.entrySet()) {
            if (!sa.cpuid.containsKey(e.getKey())) {
                onlyOneSide(e.getValue(), false, sa, cpuidName(e.getKey(), b));
            }
        }
        compareTableWrites(sa, sb);
    }

    /**
     * The guest bytes written while the CPUID tables were built. A backend's first request may
     * carry effects that are no leaf's (a toolstack introducing the domain to xenstore), and
     * which leaf is first differs between backends; so these writes are compared as one list.
     */
    private void compareTableWrites(Side sa, Side sb) {
        List<MemChunk> wa = new ArrayList<>();
        List<MemChunk> wb = new ArrayList<>();
        Exchange fa = null;
        Exchange fb = null;
        for (Exchange e : sa.cpuid.values()) {
            wa.addAll(e.observation().writes());
            fa = fa == null && !e.observation().writes().isEmpty() ? e : fa;
        }
        for (Exchange e : sb.cpuid.values()) {
            wb.addAll(e.observation().writes());
            fb = fb == null && !e.observation().writes().isEmpty() ? e : fb;
        }
        if (wa.isEmpty() && wb.isEmpty()) {
            return;
        }
        steps++;
        if (wa.equals(wb)) {
            agreed(CPUID_TABLE_WRITES);
            return;
        }
        found(new Finding(Finding.Kind.OBSERVATION, fa == null ? -1 : fa.seq(), fb == null ? -1 : fb.seq(), CPUID_TABLE_WRITES,
                fa, fb, Set.of(Field.WRITES), List.of(), ByteDiff.between(wa, wb),
                "the bytes written while the CPUID table was built differ"));
    }

    /** A CPUID answer's fields that differ; its writes belong to the table build ({@link #compareTableWrites}). */
    private static Set<Field> answerFields(Observation x, Observation y) {
        Set<Field> f = EnumSet.noneOf(Field.class);
        f.addAll(Comparator.differingFields(x, y));
        f.remove(Field.WRITES);
        return f;
    }

    /** Two answers for the same leaf (in A's frame) that differ. */
    private Finding cpuidPair(Exchange ea, Exchange eb, Set<Field> fields, String call) {
        CpuidQuery qa = (CpuidQuery) ea.request();
        boolean relocated = a.xenBase() != null && b.xenBase() != null && !a.xenBase().equals(b.xenBase())
                && inXenLeaves(qa.leaf(), a.xenBase());
        if (!relocated) {
            return new Finding(Finding.Kind.OBSERVATION, ea.seq(), eb.seq(), call, ea, eb, fields,
                    known(ea, eb, fields), List.of(), "");
        }
        // Moved into A's frame, a relocated Xen leaf must equal A's: then the difference is exactly
        // the relocation; anything else is new (the catalog's matcher accepts any answer on Xen's
        // leaves asked in Hyper-V's range, too loose for a diff).
        boolean onlyRelocation = answerFields(ea.observation(), inFrameOfA((CpuidQuery) eb.request(), eb.observation())).isEmpty();
        return new Finding(Finding.Kind.OBSERVATION, ea.seq(), eb.seq(), call, ea, eb, fields,
                onlyRelocation ? List.of(RELOCATED) : List.of(), List.of(),
                onlyRelocation ? "" : "more than the move of Xen's leaves to another base differs");
    }

    /**
     * B's answer for one of its Xen leaves as Xen at A's base gives it: the base-relative values
     * moved (base+0 EAX, the largest leaf; base+2 EBX, the hypercall-page MSR, moved as
     * {@link XenDiscovery} moves it), xen-abi.md §2.
     */
    private Observation inFrameOfA(CpuidQuery q, Observation o) {
        long[] r = o.returns();
        Integer baseA = a.xenBase();
        Integer baseB = b.xenBase();
        if (baseA == null || baseB == null || r.length != 4) {
            return o;
        }
        int offset = q.leaf() - baseB;
        if (offset == 0) {
            r[0] = (int) r[0] - baseB + baseA;
        } else if (offset == 2 && bToA.apply(new MsrRead(q.vcpu(), (int) r[1])) instanceof MsrRead moved) {
            r[1] = Integer.toUnsignedLong(moved.index());
        }
        return new Observation(r, o.fault(), o.writes(), o.eventsPending(), o.interrupts(), o.timers(), o.console(),
                o.vcpu(), o.shutdown(), o.trail());
    }

    /**
     * A leaf only one side's hypervisor answers: the other side's guest saw that hypervisor's
     * answer at the same leaf number (or none, zeros), which is what the catalog compares.
     */
    private void onlyOneSide(Exchange e, boolean inA, Side other, String call) {
        CpuidQuery q = (CpuidQuery) e.request();
        Exchange there = other.absolute.get(new CpuidKey(q.vcpu(), q.leaf(), q.subleaf(), false));
        Observation theirs = there != null ? there.observation() : Observation.builder().returns(0, 0, 0, 0).build();
        Observation ours = e.observation();
        steps++;
        Observation obsA = inA ? ours : theirs;
        Observation obsB = inA ? theirs : ours;
        Set<Field> fields = answerFields(obsA, obsB);
        if (fields.isEmpty()) {
            agreed(call);
            return;
        }
        List<KnownDivergence> known = List.of();
        if (reference != null) {
            boolean ref = reference.equals(A) == inA;
            known = usable(KnownDivergences.matchAll(translated, q, fields, ref ? ours : theirs, ref ? theirs : ours));
        }
        found(new Finding(Finding.Kind.CPUID, inA ? e.seq() : -1, inA ? -1 : e.seq(), call, inA ? e : null, inA ? null : e,
                fields, known, List.of(), "only " + (inA ? A : B) + "'s hypervisor ("
                + (inA ? a : b).backend() + ") answers this leaf"));
    }

    private void agreed(String call) {
        agree++;
        counts(call).agreed();
    }

    private void found(Finding f) {
        if (f.isNew()) {
            newCount++;
        } else {
            knownCount++;
        }
        if (findings.size() < MAX_FINDINGS_KEPT) {
            findings.add(f);
        }
        lastFound = f;
        counts(f.call()).diverged(f);
        groups.computeIfAbsent(DiffGroup.keyOf(f), k -> DiffGroup.of(f)).add(f);
    }

    private CallCounts counts(String call) {
        return perCall.computeIfAbsent(call, c -> new CallCounts());
    }

    /** A step's name; B's requests as made to A's Xen. */
    private String nameOf(TraceRecord r, boolean sideB) {
        return switch (r) {
            case Exchange e -> CallNames.of(sideB ? bToA.apply(e.request()) : e.request());
            case Delivery d -> "delivery";
            case TransportPage t -> "transport-page";
            case GuestStop s -> "stop";
        };
    }

    private static String made(TraceRecord r, String call) {
        return switch (r) {
            case null -> "nothing more (its trace ends there)";
            case Exchange e -> call;
            case Delivery d -> "a delivery of vector 0x" + Integer.toHexString(d.vector()) + " to vcpu" + d.vcpu();
            case TransportPage t -> "a transport page at 0x" + Long.toHexString(t.gpa());
            case GuestStop s -> "its stop, " + stopText(s);
        };
    }

    static String stopText(GuestStop s) {
        return s.reason().textName() + " (" + s.detail() + ") on vcpu" + s.vcpu() + " at rip 0x" + Long.toHexString(s.rip());
    }

    /** A CPUID leaf's name in A's frame; a leaf only one hypervisor has says whose. */
    private static String cpuidName(CpuidKey k, DiffSide side) {
        return "cpuid/0x" + Integer.toHexString(k.leaf()) + (k.foreign() ? " (" + side.backend() + "'s own)" : "");
    }

    /**
     * Which side the catalog reads as the reference: the one {@link Backends#pairFor} makes the
     * reference when the two backends are its pair; null otherwise (same backend, or no pair).
     */
    static String reference(JournalHeader ha, JournalHeader hb) {
        String ba = servedBy(ha);
        String bb = servedBy(hb);
        if (ba.equals(bb)) {
            return null;
        }
        for (JournalHeader h : List.of(ha, hb)) {
            try {
                Backends.Pair p = Backends.pairFor(h);
                String r = p.reference().name();
                String t = p.translated().name();
                if (r.equals(ba) && t.equals(bb)) {
                    return A;
                }
                if (r.equals(bb) && t.equals(ba)) {
                    return B;
                }
            } catch (IllegalArgumentException e) {
                // No pair for this header: try the other one.
            }
        }
        return null;
    }

    /** The backend a header names; journals from before the header named one were all served by xen (Backends.pair). */
    private static String servedBy(JournalHeader h) {
        String b = h.get(JournalHeader.BACKEND);
        return b == null ? Backends.XEN : b;
    }

    /**
     * Where the guest found Xen: the leaf answering Xen's signature (xen/include/public/arch-x86/cpuid.h
     * XEN_CPUID_SIGNATURE_*), as a guest's scan finds it. Reads only the CPUID table at the
     * start of the trace (the recorder builds it before the guest runs).
     */
    static Integer xenBase(Iterable<TraceRecord> records) {
        Iterator<TraceRecord> it = records.iterator();
        while (it.hasNext()) {
            TraceRecord r = it.next();
            if (!(r instanceof Exchange e)) {
                continue;
            }
            if (!(e.request() instanceof CpuidQuery q)) {
                return null;
            }
            long[] x = e.observation().returns();
            if (x.length == 4 && (int) x[1] == CpuidH.XEN_CPUID_SIGNATURE_EBX && (int) x[2] == CpuidH.XEN_CPUID_SIGNATURE_ECX
                    && (int) x[3] == CpuidH.XEN_CPUID_SIGNATURE_EDX) {
                return q.leaf();
            }
        }
        return null;
    }

    /** A CPUID table entry in A's frame; {@code foreign} for a leaf in the other side's Xen range that is not Xen's here. */
    record CpuidKey(int vcpu, int leaf, int subleaf, boolean foreign) {
    }

    /**
     * The console line a side's guest was printing: its bytes gathered until a newline, so the
     * first new difference in the output can be shown as the two lines the guests printed.
     */
    private static final class ConsoleLine {
        /** Longest line kept: a guest that never prints a newline does not grow the diff without bound. */
        static final int MAX_LINE = 256;
        final StringBuilder current = new StringBuilder();
        boolean capturing;
        String captured;

        void feed(TraceRecord r) {
            if (!(r instanceof Exchange e)) {
                return;
            }
            for (byte c : e.observation().console()) {
                if (c == '\n') {
                    if (capturing) {
                        captured = current.toString();
                        capturing = false;
                    }
                    current.setLength(0);
                } else if (current.length() < MAX_LINE) {
                    current.append((char) (c & 0xff));
                }
            }
        }

        /** The captured line; a line still open at the end of the trace counts as printed. */
        String end() {
            if (capturing) {
                captured = current.toString();
                capturing = false;
            }
            return captured;
        }
    }

    /** One recording being read: its steps in order, its CPUID table aside. */
    private static final class Side {
        final Iterator<TraceRecord> source;
        final Map<CpuidKey, Exchange> cpuid = new LinkedHashMap<>();
        /** The same answers by the leaf number the guest used. */
        final Map<CpuidKey, Exchange> absolute = new LinkedHashMap<>();
        long records;
        long exchanges;
        GuestStop stop;
        final ConsoleLine console = new ConsoleLine();

        Side(Iterator<TraceRecord> source) {
            this.source = source;
        }

        /** The next step, filing CPUID answers into the table on the way; null at the end. */
        TraceRecord next(DiffEngine d, boolean sideA) {
            while (source.hasNext()) {
                TraceRecord r = source.next();
                records++;
                if (r instanceof GuestStop s) {
                    stop = s;
                }
                if (r instanceof Exchange e) {
                    exchanges++;
                    if (e.request() instanceof CpuidQuery q) {
                        CpuidKey key = d.key(q, sideA);
                        cpuid.putIfAbsent(key, e);
                        absolute.putIfAbsent(new CpuidKey(q.vcpu(), q.leaf(), q.subleaf(), false), e);
                        d.counts(cpuidName(key, sideA ? d.a : d.b)).count(sideA);
                        continue;
                    }
                }
                return r;
            }
            return null;
        }
    }

    /** Where a side's leaf sits in A's frame. */
    private CpuidKey key(CpuidQuery q, boolean sideA) {
        Integer own = sideA ? a.xenBase() : b.xenBase();
        Integer other = sideA ? b.xenBase() : a.xenBase();
        if (own != null && inXenLeaves(q.leaf(), own)) {
            int leaf = sideA || a.xenBase() == null ? q.leaf() : q.leaf() - own + a.xenBase();
            return new CpuidKey(q.vcpu(), leaf, q.subleaf(), false);
        }
        boolean foreign = own != null && other != null && !own.equals(other) && inXenLeaves(q.leaf(), other);
        return new CpuidKey(q.vcpu(), q.leaf(), q.subleaf(), foreign);
    }

    private static boolean inXenLeaves(int leaf, int base) {
        return Integer.compareUnsigned(leaf, base) >= 0 && Integer.compareUnsigned(leaf, base + XEN_LEAF_SPAN - 1) <= 0;
    }
}
