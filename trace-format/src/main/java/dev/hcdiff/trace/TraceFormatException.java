package dev.hcdiff.trace;

/**
 * A trace that cannot be read: corrupt or truncated binary records, a journal that is not one, a
 * {@code .hct} line that breaks the grammar. The message is one line for the user and says where:
 * {@code "/tmp/j: record 17: byte 0: unknown record cookie 0x7f13"} or
 * {@code "cases/evtchn/send.hct:12: unknown call name 'event_chanel_op'"}.
 *
 * <p>Unchecked, because it surfaces from iterators over records; every reading entry point of
 * this module documents that it throws it.
 */
public final class TraceFormatException extends RuntimeException {

    /** {@link #position()} when the error has no position (a path that does not exist). */
    public static final long NO_POSITION = -1;

    private final long position;

    /**
     * @param message  one line, starting with where the problem is
     * @param position the byte offset (codec), record index (journal) or line number (.hct), or
     *                 {@link #NO_POSITION}
     */
    public TraceFormatException(String message, long position) {
        super(message);
        this.position = position;
    }

    public TraceFormatException(String message, long position, Throwable cause) {
        super(message, cause);
        this.position = position;
    }

    /**
     * Where the problem is: a byte offset inside one encoded record when thrown by the codec, the
     * record index (0 = first record after the header) when thrown by a journal reader, the
     * 1-based line number when thrown by the {@code .hct} reader; {@link #NO_POSITION} otherwise.
     */
    public long position() {
        return position;
    }
}
