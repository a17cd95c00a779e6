package dev.hcdiff.recorder.vmm;

/**
 * Guest time in ns since VM creation: host monotonic time since creation plus the time the
 * guest skipped while blocked. A vCPU blocked until a deadline does not sleep: the clock jumps
 * to the deadline, so a recording does not wait out guest timeouts and replays see the same
 * times. Single-threaded (the vCPU thread).
 */
public final class VirtualClock {

    private final long originHostNs;
    private long skippedNs;

    public VirtualClock() {
        this(System.nanoTime());
    }

    public VirtualClock(long originHostNs) {
        this.originHostNs = originHostNs;
    }

    /** Virtual time now. */
    public long now() {
        return at(System.nanoTime());
    }

    /** Virtual time at host time {@code hostNs} (e.g. the moment of an exit). */
    public long at(long hostNs) {
        return hostNs - originHostNs + skippedNs;
    }

    /** Moves virtual time forward to {@code virtualNs} (never backwards). */
    public void advanceTo(long virtualNs) {
        long now = now();
        if (virtualNs > now) {
            skippedNs += virtualNs - now;
        }
    }
}
