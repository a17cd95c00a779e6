package dev.hcdiff.replayer.diff;

import dev.hcdiff.trace.record.TraceRecord;

/**
 * The first aligned step at which the two guests did different things (another call, another
 * kind of record, or one of them had stopped): from there the runs are summarised by call
 * instead of compared step by step, so one change of path does not read as a cascade.
 *
 * @param step  the aligned step, from 0 (CPUID table answers are not steps: they are matched by leaf)
 * @param a     A's record there, or null when A had ended
 * @param b     B's record there, or null when B had ended
 * @param madeA what A did there, by name (B's requests in A's frame), e.g. {@code sched_op/SCHEDOP_yield}
 * @param madeB what B did there
 * @param after the last divergence before it (often its cause), or null when every step agreed
 */
public record PathChange(long step, TraceRecord a, TraceRecord b, String madeA, String madeB, Finding after) {

    /** A's sequence number there, or -1 when A had ended. */
    public long seqA() {
        return a == null ? -1 : a.seq();
    }

    /** B's sequence number there, or -1 when B had ended. */
    public long seqB() {
        return b == null ? -1 : b.seq();
    }

    /** The line a report gives it. */
    public String text() {
        return "from step #" + step + " (A @" + seqOrEnd(seqA()) + ", B @" + seqOrEnd(seqB())
                + ") the guest took another path: A made " + madeA + ", B made " + madeB;
    }

    private static String seqOrEnd(long seq) {
        return seq < 0 ? "end" : Long.toString(seq);
    }
}
