package dev.hcdiff.replayer.diff;

/**
 * Per-call counts of a diff. A step counts once in each side's total; an aligned step counts once
 * as {@code agree}, {@code known} or {@code new}. Steps after a path change count in A and B only.
 */
public final class CallCounts {

    private long inA;
    private long inB;
    private long agree;
    private long known;
    private long newDivergences;
    private long firstSeqA = -1;
    private long firstSeqB = -1;

    void countA() {
        inA++;
    }

    void countB() {
        inB++;
    }

    void count(boolean sideA) {
        if (sideA) {
            inA++;
        } else {
            inB++;
        }
    }

    void agreed() {
        agree++;
    }

    void diverged(Finding f) {
        if (f.isNew()) {
            newDivergences++;
        } else {
            known++;
        }
        if (firstSeqA < 0 && firstSeqB < 0) {
            firstSeqA = f.seqA();
            firstSeqB = f.seqB();
        }
    }

    public long inA() {
        return inA;
    }

    public long inB() {
        return inB;
    }

    public long agree() {
        return agree;
    }

    public long known() {
        return known;
    }

    public long newDivergences() {
        return newDivergences;
    }

    /** A's sequence number of the call's first divergence, -1 when none (or only B had it). */
    public long firstSeqA() {
        return firstSeqA;
    }

    /** B's sequence number of the call's first divergence, -1 when none (or only A had it). */
    public long firstSeqB() {
        return firstSeqB;
    }
}
