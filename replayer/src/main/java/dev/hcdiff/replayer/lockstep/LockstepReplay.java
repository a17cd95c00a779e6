package dev.hcdiff.replayer.lockstep;

import dev.hcdiff.oracle.Backends;
import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.replayer.latency.LatencyTable;
import dev.hcdiff.trace.Trace;
import dev.hcdiff.trace.TraceFormatException;
import dev.hcdiff.trace.Traces;
import dev.hcdiff.trace.abi.CallNames;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.JournalHeader;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TransportPage;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * Replays a trace through two personalities in lockstep (design.md: the replayer). Each exchange
 * is served by the reference and by the translated personality, each from the state the previous
 * exchanges left it in and from the guest bytes the recording captured; the two observations are
 * compared with each other ({@code models}) and the one of the personality that served the
 * recording with what the guest was told ({@code recorded}).
 *
 * <p>Transport pages and interrupt deliveries are the recorder's own doing and are not replayed.
 * Never talks to KVM.
 */
public final class LockstepReplay {

    /** Reported as the side name of the latencies measured when recording. */
    public static final String RECORDED = "recorded";


    private final Backend reference;
    private final Backend translated;
    private final UnaryOperator<GuestRequest> toReference;
    private final UnaryOperator<GuestRequest> toTranslated;

    /**
     * @param reference  the reference personality, fresh (e.g. {@code xen})
     * @param translated the personality compared with it, fresh (e.g. {@code xen-on-hyperv}); both
     *                   get the recorded requests as they are
     */
    public LockstepReplay(Backend reference, Backend translated) {
        this(new Backends.Pair(reference, translated));
    }

    /** A pair with its request translation ({@link Backends#pairFor}). */
    public LockstepReplay(Backends.Pair pair) {
        this.reference = pair.reference();
        this.translated = pair.translated();
        this.toReference = pair.toReference();
        this.toTranslated = pair.toTranslated();
    }

    /**
     * Replays a journal or {@code .hct} file through the pair its header calls for
     * ({@link Backends#pairFor}), each personality configured as the header says.
     *
     * @throws TraceFormatException when the trace is unreadable, or its header names a backend or
     *                              a configuration this version cannot build
     */
    public static ReplayOutcome replay(Path path) {
        return replay(path, null, null);
    }

    /**
     * Replays a journal or {@code .hct} file through the named pair ({@code replay --pair}), each
     * personality configured as the header says and served the requests its guest would have made
     * to it ({@link Backends#pair}); with both names null, the pair the header implies
     * ({@link Backends#pairFor}).
     *
     * @throws TraceFormatException when the trace is unreadable, or its header names a backend or
     *                              a configuration this version cannot build
     * @throws IllegalArgumentException when a name is not one of {@link Backends#names()}
     */
    public static ReplayOutcome replay(Path path, String reference, String translated) {
        if ((reference == null) != (translated == null)) {
            throw new IllegalArgumentException("a pair needs both a reference and a translated personality");
        }
        for (String name : new String[]{reference, translated}) {
            if (name != null && !Backends.names().contains(name)) {
                throw new IllegalArgumentException("unknown backend '" + name + "' (known: " + String.join(", ", Backends.names()) + ")");
            }
        }
        try (Trace t = Traces.open(path)) {
            Backends.Pair pair;
            try {
                pair = reference == null ? Backends.pairFor(t.header()) : Backends.pair(reference, translated, t.header());
            } catch (Backends.UnservableTrace e) {
                throw e; // the pair asked for, not the trace, is wrong
            } catch (IllegalArgumentException e) {
                throw new TraceFormatException(path + ": header: " + e.getMessage(), TraceFormatException.NO_POSITION);
            }
            return new LockstepReplay(pair).run(t.header(), t.iterator());
        }
    }

    /** Replays every record, in order. */
    public ReplayOutcome run(JournalHeader header, Iterator<TraceRecord> records) {
        String recordedBy = header.get(JournalHeader.BACKEND);
        LatencyTable latency = new LatencyTable();
        Map<String, CallStats> perCall = new LinkedHashMap<>();
        List<DivergingRecord> diverging = new ArrayList<>();
        long count = 0;
        long exchanges = 0;
        long hypercalls = 0;
        GuestStop stop = null;

        while (records.hasNext()) {
            TraceRecord r = records.next();
            count++;
            switch (r) {
                case Exchange e -> {
                    exchanges++;
                    if (e.request() instanceof Hypercall) {
                        hypercalls++;
                    }
                    String call = CallNames.of(e.request());
                    latency.record(call, RECORDED, e.durationNs());
                    Served ref = serve(reference, toReference.apply(e.request()), e, call, latency);
                    Served tr = serve(translated, toTranslated.apply(e.request()), e, call, latency);
                    List<Divergence> ds = compare(e, ref, tr, recordedBy);
                    boolean unmodelled = ref.observation != null && ref.observation.trail().contains(Observation.UNMODELLED);
                    perCall.computeIfAbsent(call, c -> new CallStats())
                            .add(ds.isEmpty(), ds.stream().anyMatch(Divergence::isNew), unmodelled);
                    if (!ds.isEmpty()) {
                        diverging.add(new DivergingRecord(e, ds, ref.observation, tr.observation));
                    }
                }
                case GuestStop s -> stop = s;
                case TransportPage t -> { /* transport, never a divergence (design.md) */ }
                case Delivery d -> { /* the recorder acting on an observation already compared */ }
            }
        }
        return new ReplayOutcome(header, reference.name(), translated.name(), count, exchanges, hypercalls,
                perCall, diverging, latency, stop);
    }

    /** One side's answer: an observation, or the one-line reason it could not serve. */
    private record Served(Observation observation, String error) {
    }

    private static Served serve(Backend backend, GuestRequest request, Exchange e, String call, LatencyTable latency) {
        ReplayMemory memory = new ReplayMemory(e.reads(), e.observation().writes());
        long t0 = System.nanoTime();
        try {
            Observation o = Serving.serve(backend, request, memory, e.timeNs()).observation();
            latency.record(call, backend.name(), System.nanoTime() - t0);
            return new Served(o, null);
        } catch (RuntimeException ex) {
            // A model bug or memory the recording did not capture: reported, never fatal to the run.
            String what = ex.getMessage() == null ? ex.getClass().getSimpleName() : ex.getMessage();
            return new Served(null, backend.name() + ": " + what);
        }
    }

    /** The record's divergences, most important first. */
    private List<Divergence> compare(Exchange e, Served ref, Served tr, String recordedBy) {
        List<Divergence> ds = new ArrayList<>();
        long seq = e.seq();
        if (ref.error != null || tr.error != null) {
            String why = ref.error != null ? ref.error : tr.error;
            ds.add(Divergence.error(seq, e.request(), ref.observation, tr.observation, why));
        }
        if (ref.observation != null && tr.observation != null) {
            Divergence.between(seq, toReference.apply(e.request()), Divergence.Kind.MODELS, translated.name(),
                    ref.observation, tr.observation)
                    .ifPresent(ds::add);
        }
        // Fidelity: the personality that served the recording must reproduce what the guest was told.
        Served live = reference.name().equals(recordedBy) ? ref : translated.name().equals(recordedBy) ? tr : null;
        if (live != null && live.observation != null) {
            Divergence.between(seq, e.request(), Divergence.Kind.RECORDED, live.observation, e.observation())
                    .ifPresent(ds::add);
        }
        ds.sort(Comparator.comparing((Divergence d) -> !d.isNew()).thenComparing(Divergence::kind));
        return ds;
    }
}
