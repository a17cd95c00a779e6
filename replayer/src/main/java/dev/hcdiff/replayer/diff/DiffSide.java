package dev.hcdiff.replayer.diff;

import dev.hcdiff.trace.record.JournalHeader;

/**
 * One of the two recordings a diff compares.
 *
 * @param name     how reports name it (its path)
 * @param header   its header
 * @param xenBase  the CPUID base at which its guest found Xen (the leaf answering "XenVMMXenVMM"),
 *                 or null when it found no Xen leaves
 * @param records  records read
 * @param exchanges exchanges read (CPUID answers included)
 */
public record DiffSide(String name, JournalHeader header, Integer xenBase, long records, long exchanges) {

    /** The backend that served the recording, or {@code -} when the header names none. */
    public String backend() {
        String b = header.get(JournalHeader.BACKEND);
        return b == null ? "-" : b;
    }

    /** The guest recorded, or {@code -}. */
    public String guest() {
        String g = header.get(JournalHeader.GUEST);
        return g == null ? "-" : g;
    }
}
