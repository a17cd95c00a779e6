package dev.hcdiff.oracle.backend;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.MemChunk;
import dev.hcdiff.trace.record.Observation;

import java.util.List;

/**
 * The one way a request reaches a backend, shared by the recorder, the replayer and the fuzzer:
 * wrap the memory in an {@link AccessLog}, serve, attach the bytes written.
 */
public final class Serving {

    private Serving() {
    }

    /** What serving one request produced: the observation (with its writes) and the bytes read. */
    public record Served(Observation observation, List<MemChunk> reads) {
    }

    public static Served serve(Backend backend, GuestRequest request, GuestMemory memory, long nowNs) {
        AccessLog log = new AccessLog(memory);
        Observation o = backend.serve(request, log, nowNs);
        return new Served(o.withWrites(log.writes()), log.reads());
    }
}
