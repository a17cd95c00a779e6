package dev.hcdiff.replayer.lockstep;

/**
 * Per-call counts of a replay. A record counts once: {@code agree} when no comparison of it
 * differs, else {@code newDivergences} when any of its divergences is new, else {@code known}.
 */
public final class CallStats {

    private long count;
    private long agree;
    private long newDivergences;
    private long known;
    private long unmodelled;

    void add(boolean agreed, boolean anyNew, boolean unmodelledCall) {
        count++;
        if (agreed) {
            agree++;
        } else if (anyNew) {
            newDivergences++;
        } else {
            known++;
        }
        if (unmodelledCall) {
            unmodelled++;
        }
    }

    public long count() {
        return count;
    }

    public long agree() {
        return agree;
    }

    /** Records with at least one divergence: {@code newDivergences() + known()}. */
    public long diverged() {
        return newDivergences + known;
    }

    public long newDivergences() {
        return newDivergences;
    }

    public long known() {
        return known;
    }

    /** Records the reference model answered as {@code unmodelled} (-ENOSYS without Xen's semantics). */
    public long unmodelled() {
        return unmodelled;
    }
}
