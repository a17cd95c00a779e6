package dev.hcdiff.recorder;

import dev.hcdiff.oracle.backend.Backend;
import dev.hcdiff.oracle.backend.GuestMemory;
import dev.hcdiff.oracle.backend.Serving;
import dev.hcdiff.recorder.vmm.ExitServices;
import dev.hcdiff.recorder.vmm.OwnedPages;
import dev.hcdiff.recorder.vmm.VcpuStop;
import dev.hcdiff.recorder.vmm.VirtualClock;
import dev.hcdiff.trace.record.Delivery;
import dev.hcdiff.trace.record.Exchange;
import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.GuestStop;
import dev.hcdiff.trace.record.GuestWrite;
import dev.hcdiff.trace.record.Hypercall;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;
import dev.hcdiff.trace.record.TraceRecord;
import dev.hcdiff.trace.record.TraceSink;
import dev.hcdiff.trace.record.TransportPage;

import java.util.OptionalLong;

/**
 * Serves requests through {@link Serving#serve} (never {@code backend.serve} directly) and
 * appends what happened to the sink in order, seq from 0: an {@link Exchange} per request, a
 * {@link TransportPage} per installed page, a {@link Delivery} per injected interrupt, one
 * {@link GuestStop} at the end. The sink persists
 * each record as it is appended (TraceSink's contract), so a crash keeps everything so far.
 *
 * <p>Keeps the {@link OwnedPages} shadows: refreshed after every request served, compared with
 * guest RAM at every exit, each difference served as a {@link GuestWrite} before the exit's own
 * request.
 */
final class Journal implements ExitServices {

    private final Backend backend;
    private final GuestMemory memory;
    private final TraceSink sink;
    private final VirtualClock clock;
    private final ConsoleLines console;
    private final OwnedPages owned;
    private long seq;
    private long hypercalls;
    private boolean stopped;

    Journal(Backend backend, GuestMemory memory, OwnedPages owned, TraceSink sink, VirtualClock clock,
            ConsoleLines console) {
        this.backend = backend;
        this.memory = memory;
        this.owned = owned;
        this.sink = sink;
        this.clock = clock;
        this.console = console;
    }

    @Override
    public Observation serve(GuestRequest request, long exitHostNs) {
        long timeNs = clock.at(exitHostNs);
        Serving.Served served = Serving.serve(backend, request, memory, timeNs);
        Observation o = served.observation();
        append(new Exchange(seq, timeNs, System.nanoTime() - exitHostNs, request, served.reads(), o));
        owned.afterServed(backend.ownedPages(), o.writes());
        if (request instanceof Hypercall) {
            hypercalls++;
        }
        console.accept(o.console());
        return o;
    }

    @Override
    public void syncOwnedPages(int vcpu, long exitHostNs) {
        for (MemChunk chunk : owned.guestChanges()) {
            serve(new GuestWrite(vcpu, chunk), exitHostNs);
        }
    }

    /** Appends an exchange served earlier (a CPUID answer chosen for the table). */
    void recordServed(GuestRequest request, Serving.Served served, long exitHostNs, long timeNs) {
        append(new Exchange(seq, timeNs, System.nanoTime() - exitHostNs, request, served.reads(), served.observation()));
        owned.afterServed(backend.ownedPages(), served.observation().writes());
    }

    @Override
    public void transportInstalled(long gpa, byte[] page, long exitHostNs) {
        append(new TransportPage(seq, clock.at(exitHostNs), gpa, page));
    }

    @Override
    public void delivered(int vcpu, int vector, String source) {
        append(new Delivery(seq, clock.now(), vcpu, vector, source));
    }

    @Override
    public OptionalLong nextDeadlineNs() {
        return backend.nextDeadlineNs();
    }

    /** The tick is an empty GuestWrite at GPA 0: every backend applies nothing for it (ExitServices). */
    @Override
    public Observation timerTick(int vcpu) {
        return serve(new GuestWrite(vcpu, new MemChunk(0, new byte[0])), System.nanoTime());
    }

    /** Appends the one GuestStop. */
    GuestStop stop(int vcpu, VcpuStop why) {
        return stop(new GuestStop(seq, clock.now(), why.reason(), vcpu, why.rip(), why.detail()));
    }

    GuestStop stop(GuestStop stop) {
        if (stopped) {
            throw new IllegalStateException("a journal ends with exactly one GuestStop");
        }
        append(stop);
        stopped = true;
        console.flush();
        return stop;
    }

    private void append(TraceRecord r) {
        sink.append(r);
        seq++;
    }

    VirtualClock clock() {
        return clock;
    }

    Backend backend() {
        return backend;
    }

    GuestMemory memory() {
        return memory;
    }

    long nextSeq() {
        return seq;
    }

    long hypercalls() {
        return hypercalls;
    }

    boolean stopped() {
        return stopped;
    }
}
