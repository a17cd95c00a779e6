package dev.hcdiff.trace.codec;

import dev.hcdiff.trace.record.TraceRecord;

/**
 * A reusable, growable array to encode records into in one pass ({@link RecordCodec#encode(TraceRecord,
 * EncodeBuffer)}): what a writer appending many records holds instead of asking
 * {@link RecordCodec#neededCapacity} and then encoding a second time. It grows to the largest
 * record seen and never shrinks.
 *
 * <p>Not thread-safe: one per writer.
 */
public final class EncodeBuffer {

    final BytesOut out;

    /** @param initialCapacity bytes to start with; the buffer doubles when a record needs more */
    public EncodeBuffer(int initialCapacity) {
        if (initialCapacity < 1) {
            throw new IllegalArgumentException("initial capacity must be positive, was " + initialCapacity);
        }
        this.out = BytesOut.growable(initialCapacity);
    }

    /**
     * The array holding the last encoding in {@code [0, length())}; valid until the next encode,
     * which may replace the array when it grows.
     */
    public byte[] array() {
        return out.array();
    }

    /** Length of the last encoding. */
    public int length() {
        return out.written();
    }
}
