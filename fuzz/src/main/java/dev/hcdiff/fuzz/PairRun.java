package dev.hcdiff.fuzz;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.FlatRam;
import dev.hcdiff.oracle.backend.GuestFault;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.oracle.compare.Divergence;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * Runs one generated call sequence through two personalities from the same fresh state, each
 * with its own copy of the guest's RAM, and compares every observation. The reference's
 * exchanges are kept as a trace, so a finding can be written as an {@code .hct} case that
 * {@code hcdiff replay} reproduces.
 */
public final class PairRun {

    /** Virtual time between two generated calls, ns. */
    static final long CALL_SPACING_NS = 1_000;

    private final Supplier<Backend> reference;
    private final Supplier<Backend> translated;

    /** @param reference and translated make fresh personalities, e.g. {@code () -> Backends.create("xen", cfg)} */
    public PairRun(Supplier<Backend> reference, Supplier<Backend> translated) {
        this.reference = reference;
        this.translated = translated;
    }

    /**
     * What one run found.
     *
     * @param exchanges   the reference's exchanges, seq from 0 (the trace of a corpus case)
     * @param divergences every divergence between the two, in order
     */
    public record Result(List<TraceRecord> exchanges, List<Divergence> divergences) {

        /** The first divergence no catalog entry explains. */
        public Optional<Divergence> firstNew() {
            return divergences.stream().filter(Divergence::isNew).findFirst();
        }
    }

    /** Runs the calls in order; stops after a call that shuts the domain down. */
    public Result run(List<FuzzCall> calls) {
        Backend ref = reference.get();
        Backend tr = translated.get();
        FlatRam refRam = new FlatRam(FuzzCall.RAM_BYTES);
        FlatRam trRam = new FlatRam(FuzzCall.RAM_BYTES);
        List<TraceRecord> exchanges = new ArrayList<>();
        List<Divergence> divergences = new ArrayList<>();
        long seq = 0;
        for (FuzzCall c : calls) {
            place(refRam, c);
            place(trRam, c);
            long now = (seq + 1) * CALL_SPACING_NS;
            Serving.Served a = Serving.serve(ref, c.request(), refRam, now);
            Serving.Served b = Serving.serve(tr, c.request(), trRam, now);
            exchanges.add(new Exchange(seq, now, 0, c.request(), a.reads(), a.observation()));
            Divergence.between(seq, c.request(), Divergence.Kind.MODELS, tr.name(), a.observation(), b.observation())
                    .ifPresent(divergences::add);
            seq++;
            if (ends(a.observation()) || ends(b.observation())) {
                break;
            }
        }
        return new Result(exchanges, divergences);
    }

    private static boolean ends(Observation o) {
        return o.shutdown() >= 0;
    }

    private static void place(FlatRam ram, FuzzCall c) {
        byte[] arg = c.arg();
        if (arg.length > 0) {
            try {
                ram.writePhysical(FuzzCall.ARG_GPA, arg);
            } catch (GuestFault e) {
                throw new IllegalStateException("argument area outside the fuzzer's RAM", e);
            }
        }
    }
}
