package dev.hcdiff.replayer.group;

/** The first and last sequence number a group saw in one trace; -1 for both while it saw none. */
public final class SeqSpan {

    private long first = -1;
    private long last = -1;

    /** Takes in one record's sequence number; a negative one (no record in this trace) is ignored. */
    public void add(long seq) {
        if (seq < 0) {
            return;
        }
        first = first < 0 ? seq : Math.min(first, seq);
        last = Math.max(last, seq);
    }

    public long first() {
        return first;
    }

    public long last() {
        return last;
    }
}
