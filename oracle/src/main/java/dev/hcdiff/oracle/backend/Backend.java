package dev.hcdiff.oracle.backend;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

import java.util.SortedMap;

/**
 * A hypervisor personality: the whole hypervisor as a guest meets it (design.md, "The central
 * contract"). Given one request and a view of guest memory, it serves the request and returns
 * everything the guest could observe.
 *
 * <p>Contract:
 * <ul>
 *   <li>Deterministic: the result depends only on the configuration, the requests served so far
 *       and {@code nowNs}; no wall clock, no randomness, no hash-order leaks.</li>
 *   <li>Single-threaded: callers serve one request at a time.</li>
 *   <li>Guest memory only through {@code memory}; callers wrap it in an {@link AccessLog} and
 *       attach the bytes written to the observation ({@link Serving#serve}), so a backend never
 *       lists its writes itself.</li>
 *   <li>A request outside the personality's range (a CPUID leaf it does not own, an MSR it does
 *       not define) is answered as the hardware platform would: CPUID zeros, #GP for an MSR.</li>
 * </ul>
 */
public interface Backend {

    /** The name reports use: {@code xen}, {@code xen-on-hyperv}, {@code hyperv}, … */
    String name();

    /**
     * The configuration that determines this personality's answers, as {@code <name>.<key>}
     * entries (e.g. {@code xen.build=release}); it goes into the journal header under
     * {@code config.} and rebuilds an identical backend for replay.
     */
    SortedMap<String, String> configuration();

    /**
     * Serves one request.
     *
     * @param request what the guest asked
     * @param memory  the guest's memory, for the duration of this call only
     * @param nowNs   virtual time in ns since VM creation
     * @return what the guest observes (its {@code writes} are filled in by the caller)
     */
    Observation serve(GuestRequest request, GuestMemory memory, long nowNs);

    /**
     * The guest-physical pages this personality owns now and keeps its own copy of (Xen's
     * shared_info once mapped, the SynIC pages once enabled), page-aligned, ascending. A guest
     * writes these pages directly, between exits; the recorder compares them with what the
     * personality last wrote at every exit and serves the difference as a {@code GuestWrite}, so
     * the personality's copy never drifts from the guest's (design.md).
     */
    default java.util.SortedSet<Long> ownedPages() {
        return java.util.Collections.emptySortedSet();
    }

    /**
     * When this personality's next timer is due, in ns of virtual time, or empty when none is
     * armed. Timers fire at the start of the first request served at or after their deadline
     * (every personality's contract), so a recorder whose vCPU halts or blocks with nothing
     * pending advances its virtual clock to this deadline and serves a request there to let the
     * timer fire; the replay serves the same recorded request at the same time.
     */
    default java.util.OptionalLong nextDeadlineNs() {
        return java.util.OptionalLong.empty();
    }
}
