package dev.hcdiff.recorder.vmm;

import dev.hcdiff.trace.record.GuestRequest;
import dev.hcdiff.trace.record.Observation;

/**
 * What the exit handlers need from the recording around them: serving a request (through
 * {@code Serving.serve}, which also records the exchange) and recording an installed transport
 * page. Keeps the run loop free of journal details.
 */
public interface ExitServices {

    /**
     * Serves {@code request} with the backend, records the exchange and returns what the guest
     * observes.
     *
     * @param exitHostNs host {@code System.nanoTime()} when KVM_RUN returned
     */
    Observation serve(GuestRequest request, long exitHostNs);

    /**
     * Called at every exit before the exit is handled: serves each run of bytes the guest changed
     * since the last exit in a page the backend owns ({@code Backend.ownedPages()}) as a
     * {@code GuestWrite}, recorded like any other exchange.
     */
    void syncOwnedPages(int vcpu, long exitHostNs);

    /** Records that the recorder's own stubs now fill the page at {@code gpa}. */
    void transportInstalled(long gpa, byte[] page, long exitHostNs);

    /** Records that {@code vector} was injected into {@code vcpu} for {@code source} (a {@code Delivery}). */
    void delivered(int vcpu, int vector, String source);

    /** The backend's next timer deadline in ns of virtual time ({@code Backend.nextDeadlineNs()}). */
    java.util.OptionalLong nextDeadlineNs();

    /**
     * Serves and records a timer tick for {@code vcpu} at the current virtual time: a request that
     * changes nothing (an empty {@code GuestWrite}), so the backend's only work is to fire the
     * timers due by then. Replay serves the recorded tick at its recorded time and sees the same firing.
     */
    Observation timerTick(int vcpu);
}
