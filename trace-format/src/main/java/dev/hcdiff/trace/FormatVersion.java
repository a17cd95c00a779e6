package dev.hcdiff.trace;

import dev.hcdiff.trace.record.JournalHeader;

/**
 * The one check of a trace's {@link JournalHeader#FORMAT} key, shared by the journal and
 * {@code .hct} readers: this code reads format {@value JournalHeader#FORMAT_VERSION} only. A header
 * without the key (a hand-written {@code .hct} case) means that format.
 */
public final class FormatVersion {

    private FormatVersion() {
    }

    /**
     * What is wrong with a header's {@code format} value, as a message to put after the place
     * ({@code "unsupported trace format 9 (this hcdiff reads format 1)"}), or null when it is
     * supported.
     *
     * @param value the value of the {@code format} key, or null when the header has none
     */
    public static String problem(String value) {
        if (value == null || value.equals(JournalHeader.FORMAT_VERSION)) {
            return null;
        }
        String shown = value.length() <= 40 ? value : value.substring(0, 40) + "…";
        return "unsupported trace format " + (shown.isEmpty() ? "''" : shown)
                + " (this hcdiff reads format " + JournalHeader.FORMAT_VERSION + ")";
    }
}
